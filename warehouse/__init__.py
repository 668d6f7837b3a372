"""The DuckDB warehouse: schema and migrations, bulk loads, reporting views and queries.

Owns every line of SQL. Imports schemas, never tasks or Prefect.
"""

from warehouse.db import WarehouseBusy, WarehouseError, WarehouseMissing, WarehouseOutdated, connect, migrate
from warehouse.writer import Writer

__all__ = ["WarehouseBusy", "WarehouseError", "WarehouseMissing", "WarehouseOutdated", "Writer", "connect",
           "migrate"]
