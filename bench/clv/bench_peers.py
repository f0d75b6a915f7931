"""Peers for bench_clv.py: lifetimes 0.11.3 and PyMC-Marketing (MAP, flat priors) fits.

Run in the peers' own venv (bench/setup_peers.sh), from the repository root:
    bench/.venv/bin/python bench/clv/bench_peers.py --peer lifetimes [--repeat 3]
    bench/.venv/bin/python bench/clv/bench_peers.py --peer pymc [--repeat 3]

Same data as bench_clv.py (CDNOW 39-week summary; the seeded 100,000-customer synthetic
summary). Prints the import time, then per fit the median and min wall time of the repetitions
and the fitted parameters; "first" is the first repetition (PyMC-Marketing builds and compiles
a model graph inside every fit). The "import + first fit" line is what a one-off CLI run pays.
"""

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
from synthetic import simulate

CDNOW = Path(os.environ.get("PHARMACRM_SHARED_DATA", "/work/shared/data")) / "cdnow_clv"


def timed(label, func, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    print(
        f"{label}: median {statistics.median(times):.3f} s (min {min(times):.3f}, "
        f"first {times[0]:.3f}) x{repeat}"
    )
    return result, times[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer", choices=("lifetimes", "pymc"), required=True)
    parser.add_argument("--customers-fit", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    import pandas as pd

    if args.peer == "lifetimes":
        from lifetimes import BetaGeoFitter, GammaGammaFitter
    else:
        from pymc_extras.prior import Prior
        from pymc_marketing.clv import BetaGeoModel, GammaGammaModel
    import_seconds = time.perf_counter() - start
    print(f"import ({args.peer} + pandas): {import_seconds:.3f} s")

    cdnow = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    frame = pd.DataFrame(
        {
            "customer_id": cdnow["ID"],
            "frequency": cdnow["x"],
            "recency": np.minimum(cdnow["t_x"], cdnow["T"]),
            "T": cdnow["T"],
            "monetary_value": cdnow["zbar"],
        }
    )
    fx, fr, fa, fm = simulate(args.customers_fit)
    synthetic = pd.DataFrame(
        {"customer_id": np.arange(fx.size), "frequency": fx, "recency": fr, "T": fa,
         "monetary_value": fm}
    )  # fmt: skip

    def fits(data):
        repeaters = data[data["frequency"] > 0]
        if args.peer == "lifetimes":
            np.random.seed(0)  # lifetimes starts from random values

            def bgnbd():
                model = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
                return tuple(model.params_.values)

            def gamma_gamma():
                model = GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
                return tuple(model.params_.values)

        else:
            flat = Prior("HalfFlat")

            def bgnbd():
                model = BetaGeoModel(model_config={"r": flat, "alpha": flat, "a": flat, "b": flat})
                model.fit(data[["customer_id", "frequency", "recency", "T"]], method="map",
                          progressbar=False)  # fmt: skip
                summary = model.fit_summary()
                return tuple(float(summary[k]) for k in ("r", "alpha", "a", "b"))

            def gamma_gamma():
                model = GammaGammaModel(model_config={"p": flat, "q": flat, "v": flat})
                model.fit(repeaters[["customer_id", "frequency", "monetary_value"]],
                          method="map", progressbar=False)  # fmt: skip
                summary = model.fit_summary()
                return tuple(float(summary[k]) for k in ("p", "q", "v"))

        return bgnbd, gamma_gamma

    first_fits = 0.0
    for label, data in (("CDNOW", frame), (f"synthetic {fx.size:,}", synthetic)):
        bgnbd, gamma_gamma = fits(data)
        params, first = timed(f"{label} BG/NBD fit ({len(data):,})", bgnbd, args.repeat)
        print("   ", [round(v, 4) for v in params])
        first_fits += first if label == "CDNOW" else 0.0
        n_repeat = int((data["frequency"] > 0).sum())
        params, first = timed(f"{label} Gamma-Gamma fit ({n_repeat:,})", gamma_gamma, args.repeat)
        print("   ", [round(v, 4) for v in params])
        first_fits += first if label == "CDNOW" else 0.0
    print(f"import + first CDNOW BG/NBD and Gamma-Gamma fits: {import_seconds + first_fits:.3f} s")


if __name__ == "__main__":
    main()
