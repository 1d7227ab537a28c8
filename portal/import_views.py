"""The import page every app shares, and the export and template downloads.

One URL per import: GET shows the upload form (or, with ?token=, the preview of an upload); POST
uploads a file, or confirms or cancels the upload named by its token. An upload is read and checked
at once; a file that cannot be read at all is refused next to the upload field, a readable one is
kept (pending.py) and shown as a preview. Only the confirmation writes, through `import_commit`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views import View

from core.forms import BootstrapMixin
from core.spreadsheets.columns import find_layout
from core.spreadsheets.importing import CHANGE, CREATE, SKIP, ImportRefused, ImportSpec, Plan, import_commit
from core.spreadsheets.limits import limits
from core.spreadsheets.pending import (
    PendingUpload,
    pending_claim,
    pending_delete,
    pending_load,
    pending_release,
    pending_save,
)
from core.spreadsheets.reading import SpreadsheetError, read_spreadsheet
from core.spreadsheets.writing import FORMATS, XLSX_TYPE, download, template_bytes
from portal.models import User
from portal.permissions import is_city, is_town

PREVIEW_ROWS = 200  # rows listed on the preview; the counts cover all of them
PREVIEW_PROBLEMS = 500


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="表格文件",
        error_messages={"required": "请选择要导入的文件。", "empty": "文件是空的。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def office_crumbs(user: User, office: Model, *pages: tuple[str, str]) -> list[tuple[str, str]]:
    """The breadcrumbs of an office's page, as includes/office_breadcrumbs.html draws them."""
    crumbs = []
    if is_city(user):
        crumbs.append(("各县(市、区)", reverse("offices:county_list")))
    if not is_town(user):
        county = office.town.county
        crumbs.append((county.name, reverse("offices:county_detail", args=[county.code])))
    crumbs.append((office.name, reverse("offices:office_detail", args=[office.town.code])))
    return [*crumbs, *pages]


def check_format(fmt: str) -> str:
    """An export format from the URL; any other answers 404."""
    if fmt not in FORMATS:
        raise Http404
    return fmt


def template_response(spec: ImportSpec, *, filename: str) -> HttpResponse:
    """The spec's import template as an XLSX download."""
    content = template_bytes(spec.columns(), title=f"{spec.title}导入模板", notes=template_notes(spec))
    return download(content, filename=f"{filename}.xlsx", content_type=XLSX_TYPE)


def template_notes(spec: ImportSpec) -> list[str]:
    bounds = limits()
    return [
        *spec.notes,
        "表头须在前 20 行内;表头上方可以有合并的标题行,列的顺序不限,不认识的列会被忽略。",
        "日期可写成 2010-03-05、2010-3-5、2010/3/5、2010.3.5、2010年3月5日,或使用 Excel 日期格式。",
        "全角数字和空格会自动转换;单元格前后的空格会被去掉。",
        f"文件不超过 {filesizeformat(bounds.max_bytes)},数据不超过 {bounds.max_data_rows:,} 行;"
        "也可另存为 CSV(UTF-8 或 GBK 编码)导入。",
        "上传后先预览,确认后才写入;任何一行有错误时,整个文件都不会导入。",
    ]


class ImportPage(LoginRequiredMixin, View):
    """Upload → preview → confirm for one import and one target. Subclasses check permissions and
    set the target in `prepare()`, and give the spec, a key naming the target, the page's texts and
    where to go when done."""

    http_method_names = ["get", "head", "post"]
    template_name = "imports/import.html"
    spec: ImportSpec

    def prepare(self, request: HttpRequest, **kwargs) -> None:
        """Check the user may import here (403/404 otherwise) and set self.spec."""
        raise ImproperlyConfigured

    def target_key(self) -> str:
        raise ImproperlyConfigured

    def page_context(self) -> dict:
        """title, crumbs [(label, url)], back_url, back_label, template_url, target_label."""
        raise ImproperlyConfigured

    def done_url(self) -> str:
        raise ImproperlyConfigured

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.prepare(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    # -- steps ------------------------------------------------------------------------------------

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = request.GET.get("token", "")
        if not token:
            return self.show(form=UploadForm())
        pending = self._load(token)
        if pending is None:
            return self._gone()
        return self.show(pending=pending, plan=self.spec.plan(pending.rows, pending.layout))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        action = request.POST.get("action", "upload")
        if action in ("confirm", "cancel"):
            pending = self._load(request.POST.get("token", ""))
            if pending is None:
                return self._gone()
            if action == "cancel":
                pending_delete(pending.token)
                messages.info(request, "已取消导入,没有写入任何数据。")
                return HttpResponseRedirect(request.path)
            return self._confirm(pending)
        return self._upload()

    def _upload(self) -> HttpResponse:
        request = self.request
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form=form)
        upload = form.cleaned_data["file"]
        try:
            sheet = read_spreadsheet(upload, filename=upload.name, size=upload.size)
            layout, rows = find_layout(sheet, self.spec.columns(), known=self.spec.known_headers)
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            return self.show(form=form)
        if len(rows) > limits().max_data_rows:
            form.add_error("file", f"数据超过 {limits().max_data_rows:,} 行,请分成几个文件导入。")
            return self.show(form=form)
        token = pending_save(
            user=request.user,
            kind=self.spec.kind,
            target=self.target_key(),
            filename=upload.name,
            file_format=sheet.format_label,
            layout=layout,
            rows=rows,
        )
        return HttpResponseRedirect(f"{request.path}?token={token}")

    def _confirm(self, pending: PendingUpload) -> HttpResponse:
        # Claimed first, so a second click (or a second tab) cannot import the same file twice.
        if not pending_claim(pending.token):
            return self._gone()
        try:
            result = import_commit(
                actor=self.request.user,
                spec=self.spec,
                rows=pending.rows,
                layout=pending.layout,
                filename=pending.filename,
            )
        except ImportRefused as refused:
            pending_release(pending.token)
            return self.show(pending=pending, plan=refused.plan, refused=True)
        except BaseException:
            pending_release(pending.token)
            raise
        pending_delete(pending.token)
        messages.success(self.request, result.message)
        return HttpResponseRedirect(self.done_url())

    def _load(self, token: str) -> PendingUpload | None:
        return pending_load(
            token=token, user=self.request.user, kind=self.spec.kind, target=self.target_key()
        )

    def _gone(self) -> HttpResponse:
        messages.warning(self.request, "这份上传已过期、已导入或已取消,请重新上传文件。")
        return HttpResponseRedirect(self.request.path)

    # -- page -------------------------------------------------------------------------------------

    def show(
        self,
        *,
        form: UploadForm | None = None,
        pending: PendingUpload | None = None,
        plan: Plan | None = None,
        refused: bool = False,
    ) -> HttpResponse:
        columns = self.spec.columns()
        context = {
            "spec": self.spec,
            "columns": columns,
            "form": form,
            "pending": pending,
            "plan": plan,
            "refused": refused,
            "notes": template_notes(self.spec),
            **self.page_context(),
        }
        if plan is not None:
            show = self.request.GET.get("show", "")
            if show not in (CREATE, CHANGE, SKIP):
                show = ""
            if show:
                listed = [r for r in plan.rows if r.action == show]
            elif plan.writes:
                listed = [r for r in plan.rows if r.action != SKIP]
            else:
                listed = plan.rows
            context.update(
                show=show,
                listed=listed[:PREVIEW_ROWS],
                listed_more=max(0, len(listed) - PREVIEW_ROWS),
                problems=plan.problems[:PREVIEW_PROBLEMS],
                problems_more=max(0, len(plan.problems) - PREVIEW_PROBLEMS),
                counts=plan.counts,
            )
        return render(self.request, self.template_name, context)


class OwnOfficeImportPage(ImportPage):
    """An import into the user's own office; subclasses name the spec and the list page it serves."""

    title = ""
    list_label = ""  # the list page, for the breadcrumbs
    back_label = ""
    list_url_name = ""
    template_url_name = ""

    def make_spec(self, office: Model) -> ImportSpec:
        raise ImproperlyConfigured

    def prepare(self, request: HttpRequest, **kwargs) -> None:
        from portal.permissions import Action, get_office_or_deny

        self.office = get_office_or_deny(
            request.user, Action.FILE, town_code=kwargs["town_code"], request=request
        )
        self.spec = self.make_spec(self.office)

    def target_key(self) -> str:
        return f"office:{self.office.pk}"

    def done_url(self) -> str:
        return reverse(self.list_url_name, args=[self.office.town.code])

    def page_context(self) -> dict:
        return {
            "title": self.title,
            "target_label": self.office.name,
            "crumbs": office_crumbs(self.request.user, self.office, (self.list_label, self.done_url())),
            "back_url": self.done_url(),
            "back_label": self.back_label,
            "template_url": reverse(self.template_url_name, args=[self.office.town.code]),
        }
