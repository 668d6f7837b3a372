"""The base of the warehouse's errors: a message the CLI prints as one line, for what the user can fix."""


class WarehouseError(Exception):
    """Base of the warehouse's errors."""
