"""Pages of the permits app: parties (each module lists its own URLs)."""

urlpatterns: list = []
