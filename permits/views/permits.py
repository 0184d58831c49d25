"""Pages of the permits app: permits (each module lists its own URLs)."""

urlpatterns: list = []
