"""An office's own record pages, in the offices: namespace (the root URLs add the office home and
the county pages of overview to it)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:town_code>/history/", views.office_history, name="office_history"),
    path("<str:town_code>/profile/edit/", views.ProfileEdit.as_view(), name="profile_edit"),
    path("<str:town_code>/facts/", views.FactsList.as_view(), name="facts_list"),
    path("<str:town_code>/facts/<int:year>/edit/", views.FactsEdit.as_view(), name="facts_edit"),
    path("<str:town_code>/premises/", views.PremisesList.as_view(), name="premises_list"),
    path("<str:town_code>/premises/<int:year>/edit/", views.PremisesEdit.as_view(), name="premises_edit"),
    path("<str:town_code>/rules/", views.RulesPage.as_view(), name="rules"),
    path("<str:town_code>/rules/<int:year>/<str:kind>/edit/", views.RuleEdit.as_view(), name="rule_edit"),
    path("<str:town_code>/plans/", views.PlansPage.as_view(), name="plans"),
    path("<str:town_code>/plans/<int:year>/<str:kind>/edit/", views.PlanEdit.as_view(), name="plan_edit"),
    path("<str:town_code>/budgets/", views.BudgetList.as_view(), name="budget_list"),
    path("<str:town_code>/budgets/<int:year>/edit/", views.BudgetEdit.as_view(), name="budget_edit"),
    path("<str:town_code>/checks/", views.CheckList.as_view(), name="check_list"),
    path("<str:town_code>/checks/new/", views.CheckEdit.as_view(), name="check_create"),
    path("<str:town_code>/checks/<int:pk>/edit/", views.CheckEdit.as_view(), name="check_edit"),
    path("<str:town_code>/checks/<int:pk>/delete/", views.CheckDelete.as_view(), name="check_delete"),
]
