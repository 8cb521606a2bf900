"""In-app notifications and their e-mail copies.

``tables`` (Notification, MailMessage), ``notify`` (writing and reading notifications, in the
transaction of the event they announce), ``mail`` (the outbox filled with each notification, and
the SMTP or dev-mailbox sender that drains it).
"""
