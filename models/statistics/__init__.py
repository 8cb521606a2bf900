"""Statistics of sending, receiving and handling (QĐ44 Điều 16; issue 13): see ``repo``."""
