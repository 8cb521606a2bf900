"""The audit trail as a whole: its hash chain checked end to end, each day's head signed, and the
administrator's search over it (the rows and their chaining are ``models.audit``)."""
