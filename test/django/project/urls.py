"""No views: axes_side.py calls django-axes directly."""

urlpatterns = []
