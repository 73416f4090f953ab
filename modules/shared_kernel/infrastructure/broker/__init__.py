"""Integration events out to a broker, for other services to follow.

    publisher        one connection per process, made at the first message (none without
                     BROKER_URL), every message confirmed by the broker or the attempt fails
    rabbitmq         RabbitMQ: a durable topic exchange, the channel as the routing key
    nats_jetstream   NATS JetStream: a stream over the channels, the message id as Nats-Msg-Id

FastStream carries both; it is imported only when a broker is configured (it costs a third
of a second and several MB to import).
"""
