"""Planted truth: BG/NBD and Gamma-Gamma fits on ``pharmacrm generate --model pure`` data.

The pure model draws each loyalty member from one of five latent segments, each exactly a BG/NBD
purchase process (days) with Gamma-Gamma spend; ``truth/population.json`` holds every segment's
parameters and ``truth/members.parquet`` each member's segment. The population is therefore a
mixture, not one BG/NBD, so the check is per segment: the BTYD summary of the generated
receipts (our ``btyd_summary``), split by the planted segment, fitted by maximum likelihood.

Error band: three asymptotic standard errors per parameter, each from the inverse observed
information of that fit (``fit.standard_errors``), i.e. the sampling error of ~600-1,100
members per segment. Two small departures of the generator from the textbook model add to it:
T counts the registration day (+1 day on histories of 1-730 days), and a same-day repeat is
moved to the member's next free day. On this seed the largest deviation is 1.8 standard errors.
"""

import json
from dataclasses import replace
from datetime import date

import ibis
import numpy as np
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pharmacrm.analytics.btyd import btyd_summary
from pharmacrm.analytics.clv import fit_bgnbd, fit_gamma_gamma
from pharmacrm.demo.generator.config import SCALES, GenerateOptions
from pharmacrm.demo.generator.run import generate

pytestmark = pytest.mark.slow

BAND = 3.0


@pytest.fixture(scope="module")
def pure_business(tmp_path_factory):
    scale = replace(SCALES["small"], members=4000, anonymous_checks=500, members_per_chunk=2000)
    out = tmp_path_factory.mktemp("pure")
    generate(GenerateOptions(scale, "en", "pure", 11), out, workers=1)
    population = json.loads((out / "truth" / "population.json").read_text("utf-8"))
    lines = ds.dataset(out / "warehouse" / "receipt_lines", partitioning="hive").to_table(
        columns=["card_no", "check_id", "day", "amount"], filter=pc.field("card_no").is_valid()
    )
    tx = ibis.memtable(lines.rename_columns(["customer_id", "doc_id", "day", "amount"]))
    summary = btyd_summary(tx, as_of=date.fromisoformat(population["as_of"])).to_pyarrow()
    truth = pq.read_table(out / "truth" / "members.parquet", columns=["card_no", "segment"])
    segment_of = dict(zip(truth["card_no"].to_pylist(), truth["segment"].to_pylist(), strict=True))
    segments = np.array([segment_of[c] for c in summary["customer_id"].to_pylist()])
    return population, summary, segments


def _within_band(fitted, truth, standard_errors):
    return {
        name: round((value - truth[name]) / error, 2)
        for (name, value), error in zip(fitted.items(), standard_errors, strict=True)
        if abs(value - truth[name]) > BAND * error
    }


def test_every_member_of_the_pure_business_is_summarised(pure_business):
    population, summary, segments = pure_business

    assert summary.num_rows == population["options"]["scale"]["members"] == 4000
    assert sorted(set(segments)) == sorted(s["name"] for s in population["segments"])


def test_bgnbd_fits_recover_each_planted_segment(pure_business):
    population, summary, segments = pure_business
    x, t_x, age = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))

    outside = {}
    for segment in population["segments"]:
        rows = segments == segment["name"]
        params = fit_bgnbd(x[rows], t_x[rows], age[rows])
        assert params.fit.converged, (segment["name"], params.fit.message)
        fitted = {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b}
        outside |= {
            (segment["name"], k): v
            for k, v in _within_band(fitted, segment, params.fit.standard_errors).items()
        }

    assert outside == {}


def test_gamma_gamma_fits_recover_each_planted_segment(pure_business):
    population, summary, segments = pure_business
    x, spend = summary["frequency"].to_numpy(), summary["monetary_value"].to_numpy()

    outside = {}
    for segment in population["segments"]:
        rows = segments == segment["name"]
        params = fit_gamma_gamma(x[rows], spend[rows])
        assert params.fit.converged, (segment["name"], params.fit.message)
        # Spend is in local currency: the truth's rate parameter is scaled by the EUR rate.
        truth = {
            "p": segment["p_spend"],
            "q": segment["q_spend"],
            "v": segment["gamma_spend_local"],
        }
        fitted = {"p": params.p, "q": params.q, "v": params.v}
        outside |= {
            (segment["name"], k): v
            for k, v in _within_band(fitted, truth, params.fit.standard_errors).items()
        }

    assert outside == {}
