"""Work assigned without a document (giao việc): the assignment, its people and units, its links."""
