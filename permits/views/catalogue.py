"""Pages of the permits app: catalogue (each module lists its own URLs)."""

urlpatterns: list = []
