"""Trang chủ: the reads behind each role's home page (what waits for them today)."""
