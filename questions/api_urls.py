from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("banks", api.BankViewSet, basename="bank")
router.register("categories", api.CategoryViewSet, basename="category")
router.register("skills", api.SkillViewSet, basename="skill")
router.register("questions", api.QuestionViewSet, basename="question")
urlpatterns = router.urls
