"""Pages of the permits app: staff (each module lists its own URLs)."""

urlpatterns: list = []
