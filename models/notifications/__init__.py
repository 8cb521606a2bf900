"""In-app notifications (``notify``) and their e-mail copies (``mail``: the outbox and the SMTP or
dev-mailbox sender).
"""
