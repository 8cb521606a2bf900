"""Registers (sổ đăng ký) and their gapless numbers.

``tables`` (Register, RegisterCounter, RegisterEntry), ``repo`` (allocation and queries),
``numbering`` (pure số / ký hiệu rules), ``periods`` (report kinds and periods), ``books`` (the printed registers' data).
"""
