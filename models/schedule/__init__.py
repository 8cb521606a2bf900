"""The weekly work schedule (lịch công tác tuần) of an agency (QĐ44 Điều 21.1.e)."""
