"""Browser push notifications of urgent documents (Web Push, RFC 8030/8291/8292, VAPID).

``tables`` (a person's devices, ``PushSubscription``; the outbox, ``PushMessage``), ``rules``
(which notifications are pushed, the payload: never the document's content or personal data; the
push services a subscription may name), ``schema`` (a browser's subscription at the boundary),
``repo`` (all their SQL; the outbox is filled inside ``notifications.notify``), ``vapid`` (the
installation's key pair), ``sender`` (one push sent with pywebpush and what its answer means).
"""
