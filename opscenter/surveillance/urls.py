app_name = "surveillance"
urlpatterns: list = []
