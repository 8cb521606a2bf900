"""Agencies, units, people, roles and sessions.

``tables`` (Agency, AgencyCode, OrgUnit, User, UserRole, UserSession, ApiToken), ``repo`` (all their
SQL: login with lockout, sessions, tokens, password changes, account administration),
``passwords`` (the policy and hashing rules).
"""
