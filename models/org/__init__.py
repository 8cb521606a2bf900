"""Agencies, units, people, roles and sessions.

``tables`` (Agency, AgencyCode, AgencyName, OrgUnit, User, UserRole, UserSession, …); the SQL in
``repo`` (accounts: login with lockout, sessions, tokens, password changes, account administration,
and the plain lookups of agencies and units), ``tree_repo`` (the organisation tree and its writes),
``dated_repo`` (names and codes by date, who answers for a closed agency or unit),
``handover_repo`` (open work and its handover in a reorganisation) and ``two_factor_repo``;
``rules`` and ``passwords`` (pure rules), ``schema`` (the administrator's inputs).
"""
