"""Pages of the permits app: apply (each module lists its own URLs)."""

urlpatterns: list = []
