"""The pure core: each task takes models and options and returns models, with no clock,
no network and no DuckDB. Prefect wraps these functions in `flows/`; tests call them plainly."""
