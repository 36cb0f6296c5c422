"""Premium phone support: callback requests, the calls made on them, their SLA."""
