"""The catalogue: products (SKUs) with INN, brand, ATC code, category, Rx/OTC and prices."""
