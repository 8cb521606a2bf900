"""Programs for development and tests that are not part of the product's models: the process
supervisor behind ``qlvb run`` (``launcher``) and the national hub simulator (``hub``).
"""
