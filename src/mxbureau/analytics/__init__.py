"""Payment-history (MOP) analytics over INTL13 tables: the history matrix and account metrics,
per-customer features, roll rates, the RS cross-check, points-table scorecards."""
