"""Predicted customer value: the BG/NBD and Gamma-Gamma models, and their backtest.

``bgnbd`` (how many purchases a customer will make) and ``gammagamma`` (how much a
repeat purchase is worth) fit the published models by maximum likelihood; ``backtest``
fits them on a calibration period of the warehouse and compares their predictions with
the holdout period that followed; ``cdnow`` writes the public CDNOW sample, the data
set of the papers, as a raw data folder.
"""
