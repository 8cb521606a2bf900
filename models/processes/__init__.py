"""Versioned process definitions administrators deploy: ``tables``, ``repo`` (publishing and
resolving), ``schema`` (what a definition body may say).
"""
