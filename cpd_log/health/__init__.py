"""`/healthz` for a load balancer: is this process able to serve (database, Redis)?"""
