"""The national document exchange hub (EDXML.md).

``tables`` (HubInbound, HubOutbox), ``repo`` (packages to records and back), ``edxml/``
(QCVN 102 packages), ``hub_client`` (the hub's HTTP operations), ``hub_auth`` (its HMAC
headers), ``directory_sync`` (the hub's agency directory into the organisation tree).
"""
