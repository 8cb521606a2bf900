"""Published statistics (QĐ44 Điều 16.2): the Văn phòng UBND tỉnh publishes a period's figures of
every agency, frozen as they were; a correction is a new publication that supersedes the old one."""
