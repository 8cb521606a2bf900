"""The working-day calendar: ``tables`` (the administrator's corrections), ``repo`` (their SQL),
``workdays`` (pure working-day arithmetic on the Vietnamese calendar).
"""
