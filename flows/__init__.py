"""Prefect flows and the covpipe CLI: wiring only."""
