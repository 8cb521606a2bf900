"""Human-step rows the inbox lists: ``tables``, ``repo`` (projection, claiming, the completion
handshake, inbox queries), ``actions`` (the decisions each step offers and their fields).
"""
