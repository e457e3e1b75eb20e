"""Payments: the Stripe gateway, the webhook, offline and free payments, refunds.

Domains register what a payment is *for* (its ``purpose``) with handlers called when a
payment succeeds, fails or is refunded; ``app`` itself knows no domain.
"""
