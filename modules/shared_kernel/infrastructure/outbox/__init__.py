"""The transactional outbox: events recorded with the change that caused them, delivered to
their listeners afterwards, retried until they succeed.

    publication_log  writes a publication per event and listener, in the sender's transaction
    claims           hands one publication at a time to one deliverer, oldest of its stream first
    delivery         runs a listener's handler; its commit completes the publication
    relay            delivers in the background what nobody delivered (failures, crashes)
    operations       what operators and health checks see: counts, listings, resubmission
    failures         what a failed delivery leaves in last_error: never SQL or stored values

Outbound listeners (the broker's, see Listener.outbound) share all of it, with two rules of
their own: only the relay takes their publications, strictly oldest first per stream, and
they are never given up on.
"""
