"""Infrastructure every app may use and that imports no app: the realtime door, the
channel layer, the cache, rate limits, input cleaning, async database access, the admin
paginator, middleware."""
