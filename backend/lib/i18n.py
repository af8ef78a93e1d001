"""The one table of user-facing text: Vietnamese first, English second.

Every message shown to a person (API errors, pages, notifications) is looked up here by key, so a
translation is never scattered through the code.
"""

from __future__ import annotations

from typing import Final, Literal

Language = Literal["vi", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("vi", "en")

MESSAGES: Final[dict[str, dict[Language, str]]] = {
    # Problems (RFC 9457 titles and details)
    "problem.bad_request.title": {"vi": "Yêu cầu không hợp lệ", "en": "Bad request"},
    "problem.validation.title": {"vi": "Dữ liệu không hợp lệ", "en": "Invalid data"},
    "problem.validation.detail": {
        "vi": "Vui lòng kiểm tra lại các trường được nêu.",
        "en": "Please check the fields listed.",
    },
    "problem.validation.nul_character": {
        "vi": "Dữ liệu gửi lên chứa ký tự NUL (U+0000), ký tự không thể lưu trữ.",
        "en": "The request contains a NUL character (U+0000), which cannot be stored.",
    },
    "problem.validation.field": {
        "vi": "Giá trị của trường «{field}» không hợp lệ: {reason}",
        "en": "The value of «{field}» is invalid: {reason}",
    },
    "problem.not_found.title": {"vi": "Không tìm thấy", "en": "Not found"},
    "problem.not_found.detail": {
        "vi": "Không có tài nguyên nào ở địa chỉ này, hoặc bạn không có quyền xem.",
        "en": "Nothing exists at this address, or you may not see it.",
    },
    "problem.method_not_allowed.title": {"vi": "Phương thức không được hỗ trợ", "en": "Method not allowed"},
    "problem.method_not_allowed.detail": {
        "vi": "Địa chỉ này không nhận phương thức {method}.",
        "en": "This address does not accept {method}.",
    },
    "problem.too_large.title": {"vi": "Dữ liệu gửi lên quá lớn", "en": "Request too large"},
    "problem.too_large.detail": {
        "vi": "Nội dung gửi lên vượt quá giới hạn {limit} byte.",
        "en": "The request body exceeds the limit of {limit} bytes.",
    },
    "problem.storage_full.title": {"vi": "Máy chủ hết chỗ lưu tệp", "en": "Insufficient storage"},
    "problem.storage_full.detail": {
        "vi": "Máy chủ tạm thời hết chỗ lưu tệp nên chưa nhận được tệp này; không có gì bị thay đổi. "
        "Vui lòng gửi lại sau.",
        "en": "The server has run out of room for files, so this file was not accepted; nothing was changed. "
        "Please send it again later.",
    },
    "problem.unauthorized.title": {"vi": "Cần đăng nhập", "en": "Sign-in required"},
    "problem.forbidden.title": {"vi": "Không có quyền", "en": "Forbidden"},
    "problem.conflict.title": {"vi": "Xung đột dữ liệu", "en": "Conflict"},
    "problem.rate_limited.title": {"vi": "Quá nhiều yêu cầu", "en": "Too many requests"},
    "problem.rate_limited.detail": {
        "vi": "Bạn đã gửi quá nhiều yêu cầu khi chưa đăng nhập. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many requests without signing in. Please try again in {seconds} seconds.",
    },
    "problem.unavailable.title": {"vi": "Dịch vụ tạm thời không khả dụng", "en": "Service unavailable"},
    "problem.unavailable.database": {
        "vi": "Cơ sở dữ liệu tạm thời không kết nối được; yêu cầu chưa được thực hiện. Vui lòng thử lại sau ít giây.",
        "en": "The database is briefly unreachable; nothing was done. Please try again in a few seconds.",
    },
    "problem.server_error.title": {"vi": "Lỗi máy chủ", "en": "Server error"},
    "problem.server_error.detail": {
        "vi": "Đã có lỗi ngoài ý muốn. Dữ liệu của bạn không bị thay đổi; vui lòng thử lại sau.",
        "en": "Something went wrong. Nothing was changed; please try again later.",
    },
    "problem.http.title": {"vi": "Lỗi yêu cầu", "en": "Request error"},
    "problem.bad_cursor.detail": {
        "vi": "Con trỏ phân trang không hợp lệ hoặc đã hết hạn; hãy tải lại từ trang đầu.",
        "en": "The page cursor is invalid; start again from the first page.",
    },
    "problem.unit_not_found.detail": {
        "vi": "Không có đơn vị nào mang mã {code}.",
        "en": "There is no unit with code {code}.",
    },
    "problem.sign_in_failed.title": {"vi": "Đăng nhập không thành công", "en": "Sign-in failed"},
    "problem.sign_in_failed.detail": {
        "vi": "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa. Vui lòng thử lại sau.",
        "en": "Wrong username or password, or the account is temporarily locked. Please try again later.",
    },
    "problem.account.role_required": {
        "vi": "Tài khoản cán bộ cần ít nhất một vai trò gắn với đơn vị.",
        "en": "A staff account needs at least one role bound to a unit.",
    },
    "problem.account.unknown_role": {"vi": "Vai trò «{role}» không tồn tại.", "en": "There is no role «{role}»."},
    "problem.account.role_unit_mismatch": {
        "vi": "Vai trò «{role}» không thể gắn với đơn vị {unit} (sai cấp hoặc đơn vị không còn hiệu lực).",
        "en": "Role «{role}» cannot be bound to unit {unit} (wrong level, or the unit no longer exists).",
    },
    "problem.account.username_taken": {
        "vi": "Tên đăng nhập «{username}» đã có người dùng.",
        "en": "The username «{username}» is taken.",
    },
    "problem.account.weak_password": {
        "vi": "Mật khẩu cần ít nhất 8 ký tự và khác tên đăng nhập.",
        "en": "The password needs at least 8 characters and must differ from the username.",
    },
    "problem.account.wrong_password": {"vi": "Mật khẩu hiện tại không đúng.", "en": "The current password is wrong."},
    "problem.unauthorized.detail": {
        "vi": "Vui lòng đăng nhập để tiếp tục.",
        "en": "Please sign in to continue.",
    },
    "problem.csrf.detail": {
        "vi": "Phiên làm việc cần mã chống giả mạo (X-CSRF-Token) hợp lệ; hãy tải lại trang.",
        "en": "This session needs a valid anti-forgery token (X-CSRF-Token); reload the page.",
    },
    "problem.forbidden.detail": {
        "vi": "Bạn không có quyền thực hiện thao tác này.",
        "en": "You are not allowed to do this.",
    },
    # Sign-in pages of the OpenID provider
    "oidc.login.title": {"vi": "Đăng nhập Mặt trận số", "en": "Sign in to Mặt trận số"},
    "oidc.login.for_client": {"vi": "để tiếp tục tới «{client}»", "en": "to continue to «{client}»"},
    "oidc.login.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "oidc.login.password": {"vi": "Mật khẩu", "en": "Password"},
    "oidc.login.submit": {"vi": "Đăng nhập", "en": "Sign in"},
    "oidc.login.failed": {
        "vi": "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa.",
        "en": "Wrong username or password, or the account is temporarily locked.",
    },
    "oidc.login.upstream": {"vi": "Đăng nhập bằng {provider}", "en": "Sign in with {provider}"},
    "oidc.consent.title": {"vi": "Cho phép truy cập", "en": "Allow access"},
    "oidc.consent.question": {
        "vi": "Ứng dụng «{client}» muốn dùng tài khoản của bạn để:",
        "en": "The app «{client}» wants to use your account to:",
    },
    "oidc.consent.allow": {"vi": "Cho phép", "en": "Allow"},
    "oidc.consent.deny": {"vi": "Từ chối", "en": "Deny"},
    "oidc.scope.openid": {"vi": "Xác nhận bạn là ai", "en": "Confirm who you are"},
    "oidc.scope.profile": {"vi": "Xem họ tên của bạn", "en": "See your name"},
    "oidc.scope.email": {"vi": "Xem địa chỉ email", "en": "See your e-mail address"},
    "oidc.scope.phone": {"vi": "Xem số điện thoại", "en": "See your phone number"},
    "oidc.scope.roles": {"vi": "Xem vai trò và đơn vị công tác", "en": "See your roles and units"},
    "oidc.scope.offline_access": {
        "vi": "Duy trì truy cập khi bạn không trực tuyến",
        "en": "Keep access while you are away",
    },
    "oidc.error.title": {"vi": "Không thể đăng nhập", "en": "Cannot sign in"},
    "oidc.error.unknown_client": {
        "vi": "Ứng dụng yêu cầu đăng nhập không được đăng ký với hệ thống.",
        "en": "The app asking you to sign in is not registered.",
    },
    "oidc.error.redirect_uri": {
        "vi": "Địa chỉ quay lại của ứng dụng không khớp với địa chỉ đã đăng ký. Vì an toàn, hệ thống dừng tại đây.",
        "en": "The app's return address does not match the registered one. For your safety we stop here.",
    },
    "oidc.error.bad_form": {
        "vi": "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng quay lại ứng dụng và thử lại.",
        "en": "The form expired or is invalid. Please go back to the app and try again.",
    },
    "oidc.error.upstream": {
        "vi": "Không hoàn tất được đăng nhập qua nhà cung cấp định danh. Vui lòng thử lại.",
        "en": "Sign-in through the identity provider could not be completed. Please try again.",
    },
    "oidc.logout.title": {"vi": "Đã đăng xuất", "en": "Signed out"},
    "oidc.logout.done": {
        "vi": "Bạn đã đăng xuất khỏi Mặt trận số trên thiết bị này.",
        "en": "You have signed out of Mặt trận số on this device.",
    },
    "oidc.logout.confirm": {"vi": "Bạn có muốn đăng xuất?", "en": "Do you want to sign out?"},
    "oidc.logout.submit": {"vi": "Đăng xuất", "en": "Sign out"},
    "problem.area.duplicate": {
        "vi": "Đã có khu dân cư tên «{name}» trong đơn vị này.",
        "en": "There is already a residential area called «{name}» in this unit.",
    },
    # The web app (PWA)
    "pwa.name": {"vi": "Mặt trận số", "en": "Mặt trận số"},
    "pwa.tagline": {
        "vi": "Gần dân, hiểu dân, phục vụ nhân dân",
        "en": "Close to the people, serving the people",
    },
    "pwa.nav.home": {"vi": "Trang chủ", "en": "Home"},
    "pwa.nav.account": {"vi": "Tài khoản", "en": "Account"},
    "pwa.sign_in": {"vi": "Đăng nhập", "en": "Sign in"},
    "pwa.sign_out": {"vi": "Đăng xuất", "en": "Sign out"},
    "pwa.hello": {"vi": "Xin chào, {name}", "en": "Hello, {name}"},
    "pwa.hello_guest": {
        "vi": "Đăng nhập để ghi chép thực địa và nhận thông báo.",
        "en": "Sign in to take field notes and get notifications.",
    },
    "pwa.language.switch": {"vi": "English", "en": "Tiếng Việt"},
    "pwa.theme.toggle": {"vi": "Giao diện sáng/tối", "en": "Light/dark"},
    "pwa.units.title": {"vi": "Tra cứu đơn vị", "en": "Find a unit"},
    "pwa.units.search_label": {
        "vi": "Tên xã, phường, tỉnh (gõ không dấu cũng được)",
        "en": "Name of a commune, ward or province (diacritics optional)",
    },
    "pwa.units.none": {"vi": "Không tìm thấy đơn vị nào.", "en": "No unit found."},
    "pwa.units.children": {"vi": "{count} đơn vị trực thuộc", "en": "{count} units below"},
    "pwa.system.title": {"vi": "Tình trạng hệ thống", "en": "System health"},
    "pwa.system.sign_in_needed": {
        "vi": "Trang này dành cho quản trị viên trung ương. Hãy đăng nhập.",
        "en": "This page is for central administrators. Please sign in.",
    },
    "pwa.system.checked_at": {"vi": "Kiểm tra lúc {at}", "en": "Checked at {at}"},
    "pwa.system.database": {"vi": "Cơ sở dữ liệu", "en": "Database"},
    "pwa.system.database_ok": {"vi": "Kết nối được ({ms} ms)", "en": "Reachable ({ms} ms)"},
    "pwa.system.database_down": {"vi": "Không kết nối được", "en": "Unreachable"},
    "pwa.system.migrations": {"vi": "Cập nhật cấu trúc dữ liệu", "en": "Migrations"},
    "pwa.system.migrations_value": {
        "vi": "{applied} đã chạy, {pending} chưa chạy",
        "en": "{applied} applied, {pending} pending",
    },
    "pwa.system.jobs": {"vi": "Hàng đợi công việc nền", "en": "Job queue"},
    "pwa.system.jobs.queue": {"vi": "Hàng đợi", "en": "Queue"},
    "pwa.system.jobs.status": {"vi": "Trạng thái", "en": "Status"},
    "pwa.system.jobs.count": {"vi": "Số việc", "en": "Jobs"},
    "pwa.system.jobs.oldest": {"vi": "Việc chờ lâu nhất", "en": "Longest wait"},
    "pwa.system.jobs_failed": {"vi": "Việc lỗi trong 24 giờ qua", "en": "Jobs failed in the last 24 hours"},
    "pwa.system.push_last_hour": {"vi": "Thông báo đẩy trong giờ qua", "en": "Push deliveries in the last hour"},
    "pwa.system.push.delivered": {"vi": "đã gửi", "en": "delivered"},
    "pwa.system.push.gone": {"vi": "thiết bị không còn", "en": "device gone"},
    "pwa.system.push.retry": {"vi": "sẽ thử lại", "en": "to retry"},
    "pwa.system.push.config_error": {"vi": "lỗi cấu hình", "en": "configuration error"},
    "pwa.system.vapid_age": {"vi": "Tuổi khóa VAPID đang dùng", "en": "Age of the active VAPID key"},
    "pwa.system.days": {"vi": "{days} ngày", "en": "{days} days"},
    "pwa.system.seconds": {"vi": "{seconds} giây", "en": "{seconds} s"},
    "pwa.system.disk": {"vi": "Dung lượng trống (thư mục dữ liệu)", "en": "Free space (data folder)"},
    "pwa.system.disk_value": {
        "vi": "{free} GiB trống trên {total} GiB ({percent}%)",
        "en": "{free} GiB free of {total} GiB ({percent}%)",
    },
    "pwa.system.version": {"vi": "Phiên bản", "en": "Version"},
    "pwa.system.none": {"vi": "Không có", "en": "None"},
    "pwa.notes.title": {"vi": "Ghi chép thực địa", "en": "Field notes"},
    "pwa.notes.intro": {
        "vi": "Ghi lại điều bà con phản ánh. Khi mất sóng, ghi chép được lưu trên máy và tự gửi khi có mạng.",
        "en": "Write down what people raise. Without signal, notes stay on the phone and are sent when back online.",
    },
    "pwa.notes.new": {"vi": "Ghi chép mới", "en": "New note"},
    "pwa.notes.note_title": {"vi": "Tiêu đề", "en": "Title"},
    "pwa.notes.body": {"vi": "Nội dung", "en": "Content"},
    "pwa.notes.unit": {"vi": "Đơn vị", "en": "Unit"},
    "pwa.notes.kind": {"vi": "Loại", "en": "Kind"},
    "pwa.notes.kind.note": {"vi": "Ghi chép", "en": "Note"},
    "pwa.notes.kind.visit": {"vi": "Thăm hộ gia đình", "en": "Household visit"},
    "pwa.notes.kind.petition": {"vi": "Phản ánh, kiến nghị", "en": "Petition"},
    "pwa.notes.kind.report": {"vi": "Báo cáo", "en": "Report"},
    "pwa.notes.saved": {"vi": "Đã gửi lên máy chủ", "en": "On the server"},
    "pwa.notes.save": {"vi": "Lưu ghi chép", "en": "Save note"},
    "pwa.notes.saved_offline": {
        "vi": "Đã lưu trên máy, sẽ gửi khi có mạng.",
        "en": "Saved on this phone; it will be sent when online.",
    },
    "pwa.notes.empty": {"vi": "Chưa có ghi chép nào.", "en": "No notes yet."},
    "pwa.notes.sign_in_needed": {
        "vi": "Cần đăng nhập bằng tài khoản cán bộ để ghi chép.",
        "en": "Sign in with a staff account to take notes.",
    },
    "pwa.account.title": {"vi": "Tài khoản", "en": "Account"},
    "pwa.account.sessions": {"vi": "Các phiên đăng nhập", "en": "Signed-in sessions"},
    "pwa.account.current": {"vi": "Phiên này", "en": "This session"},
    "pwa.account.roles": {"vi": "Vai trò", "en": "Roles"},
    "pwa.role.central_admin": {"vi": "Quản trị viên Trung ương", "en": "Central administrator"},
    "pwa.role.province_officer": {"vi": "Cán bộ Mặt trận cấp tỉnh", "en": "Provincial Front officer"},
    "pwa.role.commune_officer": {"vi": "Cán bộ Mặt trận cấp xã", "en": "Commune Front officer"},
    "pwa.role.area_cadre": {"vi": "Cán bộ khu dân cư", "en": "Residential-area cadre"},
    "pwa.role.citizen": {"vi": "Người dân", "en": "Citizen"},
    "pwa.outbox.waiting": {"vi": "Đang chờ gửi ({count})", "en": "Waiting to send ({count})"},
    "pwa.outbox.sent": {"vi": "Đã gửi hết dữ liệu chờ.", "en": "Everything waiting has been sent."},
    "pwa.outbox.unsent_logout": {
        "vi": "Còn {count} mục chưa gửi. Đăng xuất bây giờ sẽ xóa chúng khỏi máy. Vẫn đăng xuất?",
        "en": "{count} items are not sent yet. Signing out now deletes them from this phone. Sign out anyway?",
    },
    "pwa.outbox.rejected": {
        "vi": "Một mục bị từ chối: {reason}",
        "en": "An item was refused: {reason}",
    },
    "pwa.connection.lost": {
        "vi": "Mất kết nối. Đang thử kết nối lại…",
        "en": "Connection lost. Reconnecting…",
    },
    "pwa.connection.click_blocked": {
        "vi": "Chưa gửi được thao tác vì đang mất kết nối. Vui lòng thử lại khi có mạng.",
        "en": "That action was not sent because the connection is down. Please try again when online.",
    },
    "pwa.offline.title": {"vi": "Đang ngoại tuyến", "en": "You are offline"},
    "pwa.offline.body": {
        "vi": "Trang này chưa được lưu để dùng khi mất mạng. Các ghi chép đã lưu vẫn sẽ được gửi khi có mạng.",
        "en": "This page was not saved for offline use. Saved notes will still be sent when you are back online.",
    },
    "pwa.install.ios": {
        "vi": "Cài ứng dụng: bấm nút Chia sẻ rồi chọn «Thêm vào MH chính».",
        "en": "Install the app: tap Share, then «Add to Home Screen».",
    },
    "pwa.push.title": {"vi": "Thông báo", "en": "Notifications"},
    "pwa.push.explain": {
        "vi": "Nhận thông báo trên máy khi có phản ánh được giao cho bạn hoặc hạn đại hội sắp đến. "
        "Bạn có thể tắt bất cứ lúc nào trong cài đặt của trình duyệt.",
        "en": "Get a notification on this phone when a petition is assigned to you or a congress deadline is "
        "near. You can turn it off at any time in the browser's settings.",
    },
    "pwa.push.enable": {"vi": "Bật thông báo", "en": "Turn on notifications"},
    "pwa.push.enabled": {"vi": "Đã bật thông báo trên máy này.", "en": "Notifications are on for this phone."},
    "pwa.push.denied": {
        "vi": "Trình duyệt chưa cho phép thông báo. Hãy bật trong phần cài đặt trang.",
        "en": "The browser does not allow notifications. Turn them on in the site settings.",
    },
    "pwa.push.unsupported": {
        "vi": "Trình duyệt này không hỗ trợ thông báo đẩy. Trên iPhone, hãy cài ứng dụng vào Màn hình chính trước.",
        "en": "This browser cannot receive push notifications. On an iPhone, add the app to the Home Screen first.",
    },
    "pwa.push.failed": {
        "vi": "Chưa bật được thông báo. Vui lòng thử lại sau.",
        "en": "Notifications could not be turned on. Please try again later.",
    },
    "pwa.push.inbox_empty": {"vi": "Chưa có thông báo nào.", "en": "No notifications yet."},
    "pwa.registry.title": {"vi": "Hộ gia đình", "en": "Households"},
    "pwa.registry.household": {"vi": "Hộ gia đình", "en": "Household"},
    "pwa.registry.search_label": {
        "vi": "Tên, số điện thoại, địa chỉ hoặc số CCCD (gõ không dấu cũng được)",
        "en": "Name, phone, address or ID number (diacritics optional)",
    },
    "pwa.registry.none": {"vi": "Không có hộ nào phù hợp.", "en": "No household matches."},
    "pwa.registry.more": {"vi": "Xem thêm hộ", "en": "More households"},
    "pwa.registry.not_found": {
        "vi": "Không tìm thấy hộ này, hoặc hộ không thuộc địa bàn của bạn.",
        "en": "This household was not found, or it is outside your area.",
    },
    "pwa.registry.members": {"vi": "Nhân khẩu", "en": "Members"},
    "pwa.registry.no_members": {"vi": "Chưa có nhân khẩu nào", "en": "No member yet"},
    "pwa.registry.visits": {"vi": "Các lần thăm hộ", "en": "Visits"},
    "pwa.registry.new_visit": {"vi": "Ghi nhận lần thăm", "en": "Record a visit"},
    "pwa.registry.visited_on": {"vi": "Ngày thăm", "en": "Date of the visit"},
    "pwa.registry.purpose": {"vi": "Mục đích", "en": "Purpose"},
    "pwa.registry.needs": {"vi": "Nhu cầu của gia đình", "en": "The family's needs"},
    "pwa.registry.concerns": {"vi": "Điều bà con băn khoăn, phản ánh", "en": "Concerns raised"},
    "pwa.registry.feedback": {"vi": "Ý kiến đóng góp", "en": "Feedback"},
    "pwa.registry.follow_up": {"vi": "Việc cần làm tiếp", "en": "Follow-up"},
    "pwa.registry.save_visit": {"vi": "Lưu lần thăm", "en": "Save the visit"},
    "pwa.registry.relation.head": {"vi": "Chủ hộ", "en": "Head"},
    "pwa.registry.relation.spouse": {"vi": "Vợ/chồng", "en": "Spouse"},
    "pwa.registry.relation.child": {"vi": "Con", "en": "Child"},
    "pwa.registry.relation.child_in_law": {"vi": "Con dâu/con rể", "en": "Child-in-law"},
    "pwa.registry.relation.parent": {"vi": "Bố/mẹ", "en": "Parent"},
    "pwa.registry.relation.grandparent": {"vi": "Ông/bà", "en": "Grandparent"},
    "pwa.registry.relation.grandchild": {"vi": "Cháu", "en": "Grandchild"},
    "pwa.registry.relation.sibling": {"vi": "Anh/chị/em", "en": "Sibling"},
    "pwa.registry.relation.other_relative": {"vi": "Họ hàng khác", "en": "Other relative"},
    "pwa.registry.relation.other": {"vi": "Khác", "en": "Other"},
    "pwa.install.button": {"vi": "Cài ứng dụng", "en": "Install app"},
    "pwa.not_found": {"vi": "Không có trang này.", "en": "There is no such page."},
    # Offline sync (/api/v1/sync), its conflicts, drafts
    "problem.gone.title": {"vi": "Không còn tồn tại", "en": "Gone"},
    "problem.sync.too_many_operations": {
        "vi": "Mỗi lần đồng bộ nhận tối đa {limit} thao tác; hãy gửi hàng đợi thành nhiều lần.",
        "en": "One sync request takes at most {limit} operations; send the queue in parts.",
    },
    "problem.sync.unknown_entity": {
        "vi": "Loại dữ liệu «{entity}» không đồng bộ được.",
        "en": "«{entity}» records cannot be synced.",
    },
    "problem.sync.base_version_required": {
        "vi": "Thao tác sửa hoặc xóa cần phiên bản gốc (base_version) mà thiết bị đã dựa vào.",
        "en": "Updates and deletions need the version they are based on (base_version).",
    },
    "problem.sync.base_version_unexpected": {
        "vi": "Thao tác tạo mới không mang phiên bản gốc (base_version).",
        "en": "A create operation takes no base_version.",
    },
    "problem.sync.base_version_ahead": {
        "vi": "Phiên bản gốc {base} mới hơn phiên bản trên máy chủ ({version}); hãy tải lại dữ liệu.",
        "en": "The base version {base} is newer than the server's ({version}); pull the latest data.",
    },
    "problem.sync.fields_unexpected": {
        "vi": "Thao tác xóa không mang trường dữ liệu nào.",
        "en": "A delete operation takes no fields.",
    },
    "problem.sync.nothing_to_change": {
        "vi": "Thao tác sửa không có trường nào để thay đổi.",
        "en": "The update changes no field.",
    },
    "problem.sync.op_reused": {
        "vi": "Mã thao tác {op_id} đã được dùng cho một thao tác khác.",
        "en": "The operation id {op_id} was already used for a different operation.",
    },
    "problem.sync.entity_exists": {
        "vi": "Bản ghi {entity_id} đã tồn tại với nội dung khác; hãy tải lại dữ liệu.",
        "en": "Record {entity_id} already exists with other content; pull the latest data.",
    },
    "problem.sync.gone": {
        "vi": "Bản ghi đã bị xóa trước khi thiết bị sửa nó.",
        "en": "The record had been deleted before the device edited it.",
    },
    "problem.sync.retry": {
        "vi": "Máy chủ tạm thời chưa xử lý được thao tác này; thiết bị sẽ tự gửi lại sau.",
        "en": "The server could not take this operation just now; the device will send it again later.",
    },
    "problem.sync.bad_value": {
        "vi": "Một giá trị của thao tác không lưu được; hãy kiểm tra lại nội dung.",
        "en": "A value of the operation cannot be stored; please check the content.",
    },
    "problem.sync.conflict_closed": {
        "vi": "Xung đột này đã được giải quyết.",
        "en": "This conflict has already been resolved.",
    },
    "problem.sync.resolution_fields": {
        "vi": "Cần chọn giá trị cho đúng các trường: {fields}.",
        "en": "Choose a side for exactly these fields: {fields}.",
    },
    "problem.sync.resolution_stale": {
        "vi": "Các trường {fields} đã thay đổi sau khi xung đột được ghi nhận; hãy tải lại rồi chọn lại.",
        "en": "Fields {fields} changed after the conflict was recorded; reload and choose again.",
    },
    "problem.sync.resolution_deleted": {
        "vi": "Bản ghi đã bị xóa; muốn giữ thay đổi của thiết bị thì chọn cả khôi phục («deleted»: client).",
        "en": "The record is deleted; to keep the device's changes, also take the device's side for «deleted».",
    },
    "problem.draft.unit_fixed": {
        "vi": "Ghi chép gắn với đơn vị lúc tạo; không thể chuyển sang đơn vị khác.",
        "en": "A draft stays in the unit it was written for.",
    },
    # Registry: households, residents, visits, consents
    "problem.registry.household_not_found": {
        "vi": "Không tìm thấy hộ gia đình này, hoặc bạn không có quyền xem.",
        "en": "There is no such household, or you may not see it.",
    },
    "problem.registry.resident_not_found": {
        "vi": "Không tìm thấy nhân khẩu này, hoặc bạn không có quyền xem.",
        "en": "There is no such resident, or you may not see them.",
    },
    "problem.registry.visit_not_found": {
        "vi": "Không tìm thấy lần thăm hộ này, hoặc bạn không có quyền xem.",
        "en": "There is no such visit, or you may not see it.",
    },
    "problem.registry.consent_not_found": {
        "vi": "Không tìm thấy sự đồng ý này của nhân khẩu.",
        "en": "This resident has no such consent.",
    },
    "problem.registry.not_an_area": {
        "vi": "Đơn vị {code} không phải là khu dân cư; hộ gia đình phải thuộc một thôn, tổ dân phố, ấp, bản…",
        "en": "Unit {code} is not a residential area; a household belongs to a village or neighbourhood group.",
    },
    "problem.registry.id_taken": {
        "vi": "Mã {id} đã được dùng cho một bản ghi khác; hãy tạo mã mới.",
        "en": "The id {id} is already used by another record; generate a new one.",
    },
    "problem.registry.stale_version": {
        "vi": "Bản ghi đã được người khác sửa (phiên bản {current}, bạn gửi {sent}). Hãy tải lại rồi sửa tiếp.",
        "en": "Someone else changed this record (version {current}, you sent {sent}). Reload it and edit again.",
    },
    "problem.registry.future_date": {
        "vi": "Ngày ở trường «{field}» không được ở tương lai.",
        "en": "The date in «{field}» cannot be in the future.",
    },
    "problem.registry.birth_mismatch": {
        "vi": "Năm sinh không khớp với ngày sinh.",
        "en": "The birth year does not match the date of birth.",
    },
    "problem.registry.moves_order": {
        "vi": "Ngày chuyển đi không được trước ngày chuyển đến.",
        "en": "The move-out date cannot be before the move-in date.",
    },
    "problem.registry.unknown_circumstance": {
        "vi": "Hoàn cảnh «{code}» không có trong danh mục.",
        "en": "The circumstance «{code}» is not in the list.",
    },
    "problem.registry.coordinates_pair": {
        "vi": "Cần có cả vĩ độ và kinh độ, hoặc bỏ trống cả hai.",
        "en": "Give both latitude and longitude, or neither.",
    },
    "problem.registry.head_not_member": {
        "vi": "Chủ hộ phải là một nhân khẩu của hộ này.",
        "en": "The head must be a member of this household.",
    },
    "problem.registry.merge_target": {
        "vi": "Hộ được sáp nhập vào phải là một hộ khác mà bạn có quyền sửa.",
        "en": "A merged household must name another household you may edit.",
    },
    "problem.registry.household_has_members": {
        "vi": "Hộ còn nhân khẩu; hãy chuyển hoặc xóa các nhân khẩu trước.",
        "en": "The household still has members; move or remove them first.",
    },
    "problem.registry.sensitive_forbidden": {
        "vi": "Bạn không có quyền ghi thông tin nhạy cảm ({fields}) của nhân khẩu ở đơn vị này.",
        "en": "You may not write sensitive fields ({fields}) of residents in this unit.",
    },
    "problem.registry.visit_needs_cadre": {
        "vi": "Lần thăm hộ phải do một cán bộ có tài khoản ghi lại.",
        "en": "A visit must be recorded by a cadre's account.",
    },
    "problem.registry.consent_open": {
        "vi": "Nhân khẩu đã đồng ý cho mục đích «{purpose}»; hãy rút lại sự đồng ý cũ trước khi ghi mới.",
        "en": "The resident already consented to «{purpose}»; withdraw it before recording a new one.",
    },
    # Registry: import, export and the data subject's rights
    "problem.registry.import.unknown_format": {
        "vi": "Tệp «{name}» không phải CSV hay XLSX; hãy lưu bảng tính dưới dạng .xlsx hoặc .csv (UTF-8).",
        "en": "The file «{name}» is neither CSV nor XLSX; save the sheet as .xlsx or .csv (UTF-8).",
    },
    "problem.registry.import.not_utf8": {
        "vi": "Tệp CSV phải mã hóa UTF-8 (trong Excel: Lưu thành «CSV UTF-8»).",
        "en": "A CSV file must be UTF-8 encoded (in Excel: save as «CSV UTF-8»).",
    },
    "problem.registry.import.unreadable_xlsx": {
        "vi": "Không đọc được tệp XLSX: tệp bị hỏng hoặc không phải bảng tính Excel.",
        "en": "The XLSX file cannot be read: it is damaged or not an Excel workbook.",
    },
    "problem.registry.import.too_large": {
        "vi": "Tệp vượt quá giới hạn {limit} byte; hãy chia thành nhiều tệp nhỏ hơn.",
        "en": "The file exceeds the limit of {limit} bytes; split it into smaller files.",
    },
    "problem.registry.import.no_header": {
        "vi": "Không tìm thấy dòng tiêu đề trong {rows} dòng đầu; cần ít nhất các cột: {columns}.",
        "en": "No header row in the first {rows} lines; at least these columns are needed: {columns}.",
    },
    "problem.registry.import.empty": {
        "vi": "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.",
        "en": "The file has no data rows below the header.",
    },
    "problem.registry.import.unknown_column": {
        "vi": "Cột «{column}» không được nhận biết; hãy đặt tên theo tệp mẫu hoặc xóa cột này.",
        "en": "The column «{column}» is not recognised; name it as in the template or remove it.",
    },
    "problem.registry.import.duplicate_column": {
        "vi": "Cột «{column}» trùng ý nghĩa với một cột trước nó; hãy giữ một cột.",
        "en": "The column «{column}» means the same as an earlier one; keep only one.",
    },
    "problem.registry.import.required": {
        "vi": "Cột «{column}» không được để trống.",
        "en": "The column «{column}» cannot be empty.",
    },
    "problem.registry.import.unknown_area": {
        "vi": "Không có khu dân cư «{value}» thuộc đơn vị {unit} mà bạn được ghi dữ liệu.",
        "en": "There is no residential area «{value}» in unit {unit} that you may write in.",
    },
    "problem.registry.import.ambiguous_area": {
        "vi": "Có nhiều khu dân cư tên «{value}» trong đơn vị {unit}; hãy ghi mã khu dân cư.",
        "en": "Several residential areas in unit {unit} are called «{value}»; give the area's code.",
    },
    "problem.registry.import.bad_gender": {
        "vi": "Giới tính ở cột «{column}» phải là Nam, Nữ hoặc Khác.",
        "en": "The gender in «{column}» must be Nam (male), Nữ (female) or Khác (other).",
    },
    "problem.registry.import.bad_relation": {
        "vi": "Không nhận biết quan hệ với chủ hộ ở cột «{column}» (ví dụ: Chủ hộ, Vợ, Chồng, Con, Bố, Mẹ, Cháu).",
        "en": "The relation to the head in «{column}» is not recognised (e.g. Chủ hộ, Vợ, Chồng, Con, Bố, Mẹ).",
    },
    "problem.registry.import.bad_flag": {
        "vi": "Cột «{column}» chỉ nhận «x», «có», «1» hoặc để trống.",
        "en": "The column «{column}» takes only «x», «có», «1» or nothing.",
    },
    "problem.registry.import.head_conflict": {
        "vi": "Dòng được đánh dấu ở cột «{column}» là chủ hộ nhưng quan hệ với chủ hộ lại khác.",
        "en": "The row is marked as head in «{column}» but its relation to the head says otherwise.",
    },
    "problem.registry.import.bad_date": {
        "vi": "Ngày ở cột «{column}» phải có dạng ngày/tháng/năm (25/12/1980) hoặc chỉ năm (1980).",
        "en": "The date in «{column}» must be day/month/year (25/12/1980) or only the year (1980).",
    },
    "problem.registry.import.bad_value": {
        "vi": "Giá trị ở cột «{column}» không hợp lệ ({reason}).",
        "en": "The value in «{column}» is invalid ({reason}).",
    },
    "problem.registry.import.bad_id_number": {
        "vi": "Số CCCD ở cột «{column}» phải gồm đúng 12 chữ số.",
        "en": "The ID number in «{column}» must be exactly 12 digits.",
    },
    "problem.registry.import.bad_phone": {
        "vi": "Số điện thoại ở cột «{column}» chỉ gồm chữ số (có thể có dấu cách, chấm, gạch nối, dấu + ở đầu).",
        "en": "The phone number in «{column}» must be digits (spaces, dots, dashes and a leading + allowed).",
    },
    "problem.registry.import.two_heads": {
        "vi": "Hộ này đã có chủ hộ ở dòng {line}; mỗi hộ chỉ có một chủ hộ.",
        "en": "This household already has its head on line {line}; a household has one head.",
    },
    "problem.registry.import.duplicate_row": {
        "vi": "Trùng với nhân khẩu ở dòng {line} (cùng hộ, cùng họ tên và năm sinh).",
        "en": "The same person as on line {line} (same household, name and birth year).",
    },
    "problem.registry.import.not_found": {
        "vi": "Không tìm thấy lần nhập dữ liệu này, hoặc bạn không có quyền xem.",
        "en": "There is no such import, or you may not see it.",
    },
    "problem.registry.import.not_confirmable": {
        "vi": "Lần nhập này không thể nạp vào cơ sở dữ liệu (trạng thái: {status}); hãy sửa tệp và tải lên lại.",
        "en": "This import cannot be loaded (status: {status}); correct the file and upload it again.",
    },
    "problem.registry.import.changed": {
        "vi": "Dữ liệu đã thay đổi từ lần kiểm tra trước nên tệp không còn hợp lệ; xem lỗi, sửa rồi tải lên lại.",
        "en": "The registry changed since the check; the file no longer passes. See the problems, fix, upload again.",
    },
    "registry.import.column.area": {"vi": "Khu dân cư", "en": "Residential area"},
    "registry.import.column.household_code": {"vi": "Mã hộ", "en": "Household code"},
    "registry.import.column.house_number": {"vi": "Số nhà", "en": "House number"},
    "registry.import.column.street": {"vi": "Đường phố", "en": "Street"},
    "registry.import.column.head": {"vi": "Chủ hộ", "en": "Head"},
    "registry.import.column.relation": {"vi": "Quan hệ với chủ hộ", "en": "Relation to head"},
    "registry.import.column.full_name": {"vi": "Họ và tên", "en": "Full name"},
    "registry.import.column.gender": {"vi": "Giới tính", "en": "Gender"},
    "registry.import.column.birth_date": {"vi": "Ngày sinh", "en": "Birth date"},
    "registry.import.column.birth_year": {"vi": "Năm sinh", "en": "Birth year"},
    "registry.import.column.phone": {"vi": "Số điện thoại", "en": "Phone"},
    "registry.import.column.ethnicity": {"vi": "Dân tộc", "en": "Ethnicity"},
    "registry.import.column.religion": {"vi": "Tôn giáo", "en": "Religion"},
    "registry.import.column.id_number": {"vi": "Số CCCD", "en": "ID number"},
    "registry.gender.male": {"vi": "Nam", "en": "Male"},
    "registry.gender.female": {"vi": "Nữ", "en": "Female"},
    "registry.gender.other": {"vi": "Khác", "en": "Other"},
    "registry.relation.head": {"vi": "Chủ hộ", "en": "Head"},
    "registry.relation.spouse": {"vi": "Vợ/chồng", "en": "Spouse"},
    "registry.relation.child": {"vi": "Con", "en": "Child"},
    "registry.relation.child_in_law": {"vi": "Con dâu/con rể", "en": "Child-in-law"},
    "registry.relation.parent": {"vi": "Bố/mẹ", "en": "Parent"},
    "registry.relation.grandparent": {"vi": "Ông/bà", "en": "Grandparent"},
    "registry.relation.grandchild": {"vi": "Cháu", "en": "Grandchild"},
    "registry.relation.sibling": {"vi": "Anh/chị/em", "en": "Sibling"},
    "registry.relation.other_relative": {"vi": "Họ hàng", "en": "Other relative"},
    "registry.relation.other": {"vi": "Khác", "en": "Other"},
    "registry.erased_name": {"vi": "(Đã xóa thông tin cá nhân)", "en": "(Personal data erased)"},
    "registry.circumstance.ho_ngheo": {"vi": "Hộ nghèo", "en": "Poor household"},
    "registry.circumstance.ho_can_ngheo": {"vi": "Hộ cận nghèo", "en": "Near-poor household"},
    "registry.circumstance.gia_dinh_chinh_sach": {"vi": "Gia đình chính sách", "en": "Policy family"},
    "registry.circumstance.nguoi_cao_tuoi_neo_don": {
        "vi": "Người cao tuổi neo đơn",
        "en": "Elderly person living alone",
    },
    "registry.circumstance.nguoi_khuyet_tat": {"vi": "Có người khuyết tật", "en": "Person with a disability"},
    "registry.circumstance.tre_em_mo_coi": {"vi": "Có trẻ em mồ côi", "en": "Orphaned child"},
    "registry.circumstance.benh_hiem_ngheo": {"vi": "Có người mắc bệnh hiểm nghèo", "en": "Serious illness"},
    "registry.circumstance.hoan_canh_kho_khan": {"vi": "Hoàn cảnh khó khăn", "en": "Hardship"},
    "registry.organisation.cong_doan": {"vi": "Công đoàn", "en": "Trade Union"},
    "registry.organisation.hoi_nong_dan": {"vi": "Hội Nông dân", "en": "Farmers' Union"},
    "registry.organisation.hoi_lhpn": {"vi": "Hội Liên hiệp Phụ nữ", "en": "Women's Union"},
    "registry.organisation.doan_tn": {"vi": "Đoàn Thanh niên", "en": "Youth Union"},
    "registry.organisation.hoi_ccb": {"vi": "Hội Cựu chiến binh", "en": "Veterans' Association"},
    "registry.organisation.other": {"vi": "Hội, đoàn thể khác", "en": "Other association"},
    # Org-unit levels and kinds
    "unit.level.central": {"vi": "Trung ương", "en": "Central"},
    "unit.level.province": {"vi": "Tỉnh, thành phố", "en": "Province"},
    "unit.level.commune": {"vi": "Xã, phường, đặc khu", "en": "Commune"},
    "unit.level.residential_area": {"vi": "Khu dân cư", "en": "Residential area"},
    "unit.kind.trung_uong": {"vi": "Trung ương", "en": "Central"},
    "unit.kind.tinh": {"vi": "Tỉnh", "en": "Province"},
    "unit.kind.thanh_pho_trung_uong": {"vi": "Thành phố trực thuộc trung ương", "en": "Municipality"},
    "unit.kind.xa": {"vi": "Xã", "en": "Commune"},
    "unit.kind.phuong": {"vi": "Phường", "en": "Ward"},
    "unit.kind.dac_khu": {"vi": "Đặc khu", "en": "Special zone"},
    "unit.kind.thon": {"vi": "Thôn", "en": "Village"},
    "unit.kind.to_dan_pho": {"vi": "Tổ dân phố", "en": "Neighbourhood group"},
    "unit.kind.khu_pho": {"vi": "Khu phố", "en": "Quarter"},
    "unit.kind.ap": {"vi": "Ấp", "en": "Hamlet"},
    "unit.kind.ban": {"vi": "Bản", "en": "Hamlet (mountain)"},
    "unit.kind.lang": {"vi": "Làng", "en": "Village"},
    "unit.kind.khu_dan_cu": {"vi": "Khu dân cư", "en": "Residential area"},
    # Notifications and Web Push
    "problem.push.invalid_subscription": {
        "vi": "Đăng ký nhận thông báo của thiết bị này không hợp lệ. Hãy tắt rồi bật lại thông báo.",
        "en": "This device's notification subscription is invalid. Turn notifications off and on again.",
    },
    "problem.push.unknown_key": {
        "vi": "Đăng ký dùng khóa máy chủ đã cũ. Hãy tải lại ứng dụng rồi bật lại thông báo.",
        "en": "The subscription uses an outdated server key. Reload the app and turn notifications on again.",
    },
    "problem.notify.unknown_kind": {
        "vi": "Không có loại thông báo: {kinds}.",
        "en": "There is no notification kind: {kinds}.",
    },
    "problem.notify.empty_quiet_hours": {
        "vi": "Giờ bắt đầu và giờ kết thúc khoảng yên lặng phải khác nhau.",
        "en": "Quiet hours must start and end at different times.",
    },
    "notify.kind.announcement": {"vi": "Thông báo của Mặt trận", "en": "Front announcements"},
    "notify.kind.assignment": {"vi": "Việc được giao", "en": "Assigned to you"},
    "notify.kind.deadline": {"vi": "Hạn xử lý sắp đến", "en": "Deadlines coming up"},
    "notify.kind.account": {"vi": "Bảo mật tài khoản", "en": "Account security"},
    # Health
    "health.ok": {"vi": "Hoạt động bình thường", "en": "Operating normally"},
    "health.database_down": {"vi": "Không kết nối được cơ sở dữ liệu", "en": "Database unreachable"},
    # Unit reports (weekly figures reported upward) and registry upkeep
    "problem.reports.bad_week": {
        "vi": "Tuần «{week}» không tồn tại; hãy ghi theo ISO 8601, ví dụ 2026-W10.",
        "en": "Week «{week}» does not exist; write it as in ISO 8601, e.g. 2026-W10.",
    },
    "problem.reports.future_week": {
        "vi": "Tuần {week} chưa bắt đầu nên chưa thể báo cáo.",
        "en": "Week {week} has not begun, so it cannot be reported on yet.",
    },
    "problem.reports.not_found": {
        "vi": "Đơn vị {code} chưa có báo cáo tuần {week}.",
        "en": "Unit {code} has no report for week {week}.",
    },
    "problem.reports.not_officer": {
        "vi": "Chỉ cán bộ của đơn vị {code} mới được lập và gửi báo cáo của đơn vị; cấp trên chỉ xem.",
        "en": "Only the officers of unit {code} write and submit its report; the levels above read it.",
    },
    "problem.reports.locked": {
        "vi": "Báo cáo tuần {week} đã gửi nên không sửa được; hãy mở một bản đính chính.",
        "en": "The report of week {week} has been submitted and is locked; open a correction instead.",
    },
    "problem.reports.not_submitted": {
        "vi": "Báo cáo tuần {week} chưa gửi (đang là bản nháp); hãy sửa bản nháp.",
        "en": "The report of week {week} is not submitted yet (a draft); edit the draft instead.",
    },
    "problem.reports.stale_version": {
        "vi": "Báo cáo đã được người khác sửa (phiên bản {current}, bạn gửi {sent}). Hãy tải lại rồi sửa tiếp.",
        "en": "Someone else changed this report (version {current}, you sent {sent}). Reload it and edit again.",
    },
    "problem.registry.import.interrupted": {
        "vi": "Lần nạp bị gián đoạn (máy chủ dừng giữa chừng); không dữ liệu nào được ghi. Hãy xác nhận nạp lại.",
        "en": "The load was interrupted (the server stopped midway); nothing was written. Confirm it again.",
    },
    "problem.registry.import.expired": {
        "vi": "Tệp đã được xóa sau {hours} giờ không nạp; hãy tải tệp lên lại.",
        "en": "The file was deleted after {hours} hours without being loaded; upload it again.",
    },
    "reports.column.level": {"vi": "Cấp", "en": "Level"},
    "reports.reminder.title": {"vi": "Sắp đến hạn báo cáo tuần {week}", "en": "The report for {week} is due soon"},
    "reports.reminder.body": {
        "vi": "{unit}: chưa gửi báo cáo tuần {start}–{end}. Hạn chót: {deadline}.",
        "en": "{unit}: the report for the week {start}–{end} has not been submitted. Deadline: {deadline}.",
    },
    "reports.column.units": {"vi": "Số đơn vị", "en": "Units"},
    "reports.column.reported": {"vi": "Đã báo cáo", "en": "Reported"},
    "reports.column.not_reported": {"vi": "Chưa báo cáo", "en": "Not reported"},
    "reports.column.late": {"vi": "Báo cáo muộn", "en": "Late"},
    "reports.column.members": {"vi": "Đoàn viên, hội viên", "en": "Members"},
    "reports.column.cadres": {"vi": "Cán bộ", "en": "Cadres"},
    "reports.column.households_visited": {"vi": "Hộ được thăm trong tuần", "en": "Households visited this week"},
    "reports.column.activities": {"vi": "Hoạt động đã tổ chức", "en": "Activities held"},
    "reports.column.petitions": {"vi": "Kiến nghị tiếp nhận", "en": "Petitions received"},
    "reports.column.petitions_reported_by": {
        "vi": "Số đơn vị báo số kiến nghị",
        "en": "Units that gave the petitions figure",
    },
    "reports.column.not_reported_units": {"vi": "Đơn vị chưa báo cáo", "en": "Units that have not reported"},
    "reports.column.unit": {"vi": "Đơn vị", "en": "Unit"},
    "reports.column.difficulties": {"vi": "Khó khăn, vướng mắc", "en": "Difficulties"},
    "reports.column.recommendations": {"vi": "Kiến nghị, đề xuất", "en": "Recommendations"},
    "pwa.reports.title": {"vi": "Báo cáo tuần của đơn vị", "en": "My unit's weekly report"},
    "pwa.reports.rollup_title": {"vi": "Tổng hợp báo cáo cấp dưới", "en": "Roll-up of the units below"},
    "pwa.reports.no_unit": {
        "vi": "Tài khoản của bạn không gắn với đơn vị nào để báo cáo.",
        "en": "Your account is not bound to a unit that reports.",
    },
    "pwa.reports.unit": {"vi": "Đơn vị", "en": "Unit"},
    "pwa.reports.week": {"vi": "Tuần", "en": "Week"},
    "pwa.reports.show": {"vi": "Xem", "en": "Show"},
    "pwa.reports.deadline": {"vi": "Hạn gửi: {deadline}", "en": "Due: {deadline}"},
    "pwa.reports.status.none": {"vi": "Chưa lập báo cáo", "en": "Not started"},
    "pwa.reports.status.draft": {"vi": "Bản nháp", "en": "Draft"},
    "pwa.reports.status.submitted": {"vi": "Đã gửi", "en": "Submitted"},
    "pwa.reports.status.superseded": {"vi": "Đã được đính chính", "en": "Corrected"},
    "pwa.reports.revision": {"vi": "Lần {revision}", "en": "Revision {revision}"},
    "pwa.reports.registry_count": {
        "vi": "Theo sổ hộ: {count} hộ được thăm trong tuần",
        "en": "From the registry: {count} households visited this week",
    },
    "pwa.reports.save": {"vi": "Lưu nháp", "en": "Save draft"},
    "pwa.reports.submit": {"vi": "Gửi báo cáo", "en": "Submit"},
    "pwa.reports.correct": {"vi": "Đính chính", "en": "Correct"},
    "pwa.reports.correction_reason": {"vi": "Lý do đính chính", "en": "Reason for the correction"},
    "pwa.reports.saved": {"vi": "Đã lưu.", "en": "Saved."},
    "pwa.reports.late": {"vi": "Gửi muộn", "en": "Late"},
    "pwa.reports.rollup_link": {"vi": "Tổng hợp cấp dưới", "en": "Roll-up of the units below"},
    "pwa.reports.export": {"vi": "Tải Excel", "en": "Download Excel"},
    "pwa.reports.no_notes": {"vi": "Chưa có khó khăn, kiến nghị nào.", "en": "No difficulties or recommendations."},
    # Library (thư viện số): problems, categories, pages
    "problem.library.document_not_found": {
        "vi": "Không tìm thấy tài liệu này, hoặc bạn không có quyền xem.",
        "en": "This document does not exist, or you may not see it.",
    },
    "problem.library.no_file": {
        "vi": "Tài liệu này chưa có tệp gốc để tải về.",
        "en": "This document has no original file to download.",
    },
    "problem.library.stale_version": {
        "vi": "Tài liệu đã được người khác sửa (phiên bản {current}, bạn gửi {sent}); hãy tải lại rồi sửa tiếp.",
        "en": "The document was changed meanwhile (version {current}, you sent {sent}); reload and edit again.",
    },
    "problem.library.bad_transition": {
        "vi": "Không thể chuyển tài liệu từ trạng thái «{current}» sang «{target}».",
        "en": "A document cannot move from «{current}» to «{target}».",
    },
    "problem.library.unknown_category": {
        "vi": "Danh mục không tồn tại. Các danh mục: {known}.",
        "en": "Unknown category. The categories are: {known}.",
    },
    "problem.library.unknown_link": {
        "vi": "Văn bản sửa đổi hoặc thay thế được nêu không có trong thư viện.",
        "en": "The amending or replacing document named is not in the library.",
    },
    "problem.library.replaced_needs_status": {
        "vi": "Khi nêu văn bản thay thế, hiệu lực phải là «bị thay thế».",
        "en": "A document with a replacement must have the status «replaced».",
    },
    "problem.library.audience_unit_missing": {
        "vi": "Tài liệu dành cho cán bộ một đơn vị cần nêu mã đơn vị đó.",
        "en": "A document for one unit's staff needs that unit's code.",
    },
    "problem.library.empty_query": {
        "vi": "Từ khoá tìm kiếm chỉ có dấu câu; hãy nhập ít nhất một chữ hoặc số.",
        "en": "The search has only punctuation; type at least one letter or digit.",
    },
    "problem.library.unsupported_format": {
        "vi": "Định dạng tệp không được hỗ trợ. Thư viện nhận: {formats}.",
        "en": "This file type is not supported. The library takes: {formats}.",
    },
    "problem.library.corrupt_pdf": {
        "vi": "Tệp PDF bị hỏng hoặc không đọc được ({reason}). Hãy xuất lại tệp PDF rồi tải lên.",
        "en": "The PDF is damaged or unreadable ({reason}). Export it again and upload it.",
    },
    "problem.library.encrypted_pdf": {
        "vi": "Tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên.",
        "en": "The PDF is password-protected; remove the password and upload it.",
    },
    "problem.library.corrupt_docx": {
        "vi": "Tệp DOCX bị hỏng hoặc không phải tài liệu Word.",
        "en": "The DOCX file is damaged or not a Word document.",
    },
    "problem.library.docx_too_large": {
        "vi": "Tệp DOCX khi giải nén vượt quá {limit} byte (có thể là tệp độc hại); tệp đã bị từ chối.",
        "en": "The DOCX would expand beyond {limit} bytes (possibly malicious); it was refused.",
    },
    "problem.library.bad_encoding": {
        "vi": "Không đọc được bảng mã của tệp văn bản; hãy lưu tệp dạng UTF-8.",
        "en": "The text file's encoding is unknown; save it as UTF-8.",
    },
    "problem.library.filename_missing": {
        "vi": "Cần nêu tên tệp (tham số filename) để biết định dạng.",
        "en": "The file name (filename parameter) is needed to know the format.",
    },
    "library.category.petitions": {"vi": "Tiếp nhận, xử lý phản ánh, kiến nghị", "en": "Petition handling"},
    "library.category.congress": {"vi": "Đại hội Mặt trận các cấp", "en": "Front congresses"},
    "library.category.household_work": {"vi": "Công tác khu dân cư, thăm hộ", "en": "Residential-area work"},
    "library.category.personal_data": {"vi": "Bảo vệ dữ liệu cá nhân", "en": "Personal data protection"},
    "library.category.front_law": {"vi": "Luật và quy định về Mặt trận", "en": "Front law and rules"},
    "library.category.grassroots_democracy": {"vi": "Dân chủ ở cơ sở", "en": "Grassroots democracy"},
    "library.category.forms": {"vi": "Biểu mẫu", "en": "Forms and templates"},
    "library.category.citizen_qa": {"vi": "Hỏi đáp của người dân", "en": "Citizens' Q&A"},
    "library.kind.law": {"vi": "Luật", "en": "Law"},
    "library.kind.decree": {"vi": "Nghị định", "en": "Decree"},
    "library.kind.guidance": {"vi": "Hướng dẫn của Đảng, Mặt trận", "en": "Party/Front guidance"},
    "library.kind.guide": {"vi": "Cẩm nang", "en": "Guide"},
    "library.kind.template": {"vi": "Biểu mẫu", "en": "Template/form"},
    "library.kind.qa": {"vi": "Hỏi đáp", "en": "Q&A"},
    "library.kind.news": {"vi": "Tin tức", "en": "News"},
    "library.status.in_force": {"vi": "Còn hiệu lực", "en": "In force"},
    "library.status.amended": {"vi": "Đã được sửa đổi", "en": "Amended"},
    "library.status.replaced": {"vi": "Đã bị thay thế", "en": "Replaced"},
    "library.status.expired": {"vi": "Hết hiệu lực", "en": "Expired"},
    "pwa.nav.library": {"vi": "Thư viện", "en": "Library"},
    "pwa.library.title": {"vi": "Thư viện số", "en": "Digital library"},
    "pwa.library.search_label": {"vi": "Tìm tài liệu (không cần dấu)", "en": "Search documents (accents optional)"},
    "pwa.library.search": {"vi": "Tìm", "en": "Search"},
    "pwa.library.all_kinds": {"vi": "Mọi loại", "en": "All kinds"},
    "pwa.library.kind": {"vi": "Loại tài liệu", "en": "Kind of document"},
    "pwa.library.more": {"vi": "Xem thêm tài liệu", "en": "More documents"},
    "pwa.library.all_categories": {"vi": "Mọi danh mục", "en": "All categories"},
    "pwa.library.include_old": {"vi": "Gồm cả văn bản hết hiệu lực", "en": "Include texts no longer in force"},
    "pwa.library.categories": {"vi": "Danh mục", "en": "Categories"},
    "pwa.library.none": {"vi": "Không có tài liệu nào phù hợp.", "en": "No matching documents."},
    "pwa.library.documents": {"vi": "{count} tài liệu", "en": "{count} documents"},
    "pwa.library.not_found": {"vi": "Không tìm thấy tài liệu.", "en": "Document not found."},
    "pwa.library.download": {"vi": "Tải tệp gốc", "en": "Download the original"},
    "pwa.library.contents": {"vi": "Mục lục", "en": "Contents"},
    "pwa.library.number": {"vi": "Số ký hiệu", "en": "Number"},
    "pwa.library.issuer": {"vi": "Cơ quan ban hành", "en": "Issued by"},
    "pwa.library.issued_on": {"vi": "Ngày ban hành", "en": "Issued on"},
    "pwa.library.effective_on": {"vi": "Ngày hiệu lực", "en": "Effective from"},
    "pwa.library.replaced_by": {"vi": "Được thay thế bởi văn bản mới", "en": "Replaced by a newer text"},
    "pwa.library.no_text_layer": {
        "vi": "Bản quét không có lớp chữ: chỉ tìm được theo thông tin văn bản; hãy tải tệp gốc để đọc.",
        "en": "A scan without a text layer: found by its details only; download the original to read it.",
    },
    "pwa.library.pin": {"vi": "Lưu để đọc khi mất mạng", "en": "Keep for offline reading"},
    "pwa.library.unpin": {"vi": "Bỏ lưu", "en": "Remove from this device"},
    "pwa.library.offline_title": {"vi": "Tài liệu đã lưu trên máy", "en": "Saved on this device"},
    "pwa.library.offline_search": {"vi": "Tìm trong tài liệu đã lưu", "en": "Search saved documents"},
    "pwa.library.storage": {"vi": "Dung lượng đang dùng", "en": "Storage used"},
    "pwa.library.free_space": {"vi": "Xoá tất cả để giải phóng bộ nhớ", "en": "Delete all to free space"},
    "pwa.library.offline_none": {"vi": "Chưa lưu danh mục nào.", "en": "No category saved yet."},
    # Petitions (phản ánh, kiến nghị): statuses in plain language, actions, problems, notifications, pages
    "petitions.status.received": {
        "vi": "Đã tiếp nhận, đang chờ phân loại",
        "en": "Received, waiting to be classified",
    },
    "petitions.status.classified": {
        "vi": "Đã phân loại, đang chờ giao người xử lý",
        "en": "Classified, waiting for someone to handle it",
    },
    "petitions.status.assigned": {"vi": "Đang được cán bộ xử lý", "en": "Being handled by an officer"},
    "petitions.status.forwarded": {
        "vi": "Đã chuyển cơ quan có thẩm quyền, đang chờ trả lời",
        "en": "Forwarded to the competent body, waiting for its answer",
    },
    "petitions.status.answered": {"vi": "Đã có trả lời, đang chờ công bố", "en": "Answered, to be published"},
    "petitions.status.published": {"vi": "Đã trả lời và công khai", "en": "Answered and published"},
    "petitions.status.closed": {"vi": "Đã kết thúc", "en": "Closed"},
    "petitions.status.rejected": {"vi": "Không được tiếp nhận xử lý", "en": "Not taken up"},
    "petitions.status.merged": {
        "vi": "Đã gộp với một phản ánh cùng nội dung",
        "en": "Merged with a petition about the same matter",
    },
    "petitions.status.reopened": {
        "vi": "Đã mở lại theo đề nghị của người gửi",
        "en": "Reopened at the filer's request",
    },
    "petitions.action.classify": {"vi": "Phân loại", "en": "Classify"},
    "petitions.action.assign": {"vi": "Giao xử lý", "en": "Assign"},
    "petitions.action.forward": {"vi": "Chuyển cơ quan có thẩm quyền", "en": "Forward"},
    "petitions.action.answer": {"vi": "Trả lời", "en": "Answer"},
    "petitions.action.publish": {"vi": "Công khai trả lời", "en": "Publish"},
    "petitions.action.close": {"vi": "Kết thúc", "en": "Close"},
    "petitions.action.reject": {"vi": "Từ chối", "en": "Reject"},
    "petitions.action.merge": {"vi": "Gộp vào phản ánh trùng", "en": "Merge as duplicate"},
    "petitions.action.reopen": {"vi": "Mở lại", "en": "Reopen"},
    "problem.petitions.not_found": {
        "vi": "Không tìm thấy phản ánh, kiến nghị này, hoặc bạn không có quyền xem.",
        "en": "No such petition, or you may not see it.",
    },
    "problem.petitions.illegal_transition": {
        "vi": "Không thể «{action}» khi phản ánh đang ở trạng thái «{state}». Không có gì bị thay đổi.",
        "en": "Cannot «{action}» a petition whose status is «{state}». Nothing was changed.",
    },
    "problem.petitions.contact_required": {
        "vi": "Vui lòng để lại số điện thoại hoặc thư điện tử để nhận trả lời.",
        "en": "Please leave a phone number or an e-mail address to receive the answer.",
    },
    "problem.petitions.coordinates": {
        "vi": "Vĩ độ và kinh độ phải đi cùng nhau.",
        "en": "Latitude and longitude go together.",
    },
    "problem.petitions.category_unknown": {
        "vi": "Không có lĩnh vực «{code}».",
        "en": "There is no category «{code}».",
    },
    "problem.petitions.idempotency_conflict": {
        "vi": "Mã chống gửi trùng này đã được dùng cho một phản ánh khác.",
        "en": "This idempotency key was already used for another petition.",
    },
    "problem.petitions.staff_channel": {
        "vi": "Chỉ cán bộ mới nhập được phản ánh qua kênh này.",
        "en": "Only staff may enter petitions through this channel.",
    },
    "problem.petitions.consent_required": {
        "vi": "Cần ghi nhận sự đồng ý của người dân trước khi gửi thay.",
        "en": "Record the citizen's consent before filing on their behalf.",
    },
    "problem.petitions.household_unknown": {
        "vi": "Không tìm thấy hộ gia đình này trong phạm vi của bạn.",
        "en": "No such household within your scope.",
    },
    "problem.petitions.visit_unknown": {
        "vi": "Không tìm thấy lần thăm hộ này (hoặc không thuộc hộ đã chọn).",
        "en": "No such visit (or not one of the chosen household).",
    },
    "problem.petitions.assignee_ineligible": {
        "vi": "Người được giao phải là cán bộ đang công tác ở đơn vị xử lý, cấp trên hoặc cấp dưới của đơn vị đó.",
        "en": "The assignee must be active staff of the handling unit, a unit above it or below it.",
    },
    "problem.petitions.dispatch_future": {
        "vi": "Ngày công văn chuyển không thể ở tương lai.",
        "en": "The dispatch date cannot be in the future.",
    },
    "problem.petitions.evidence_required": {
        "vi": "Trả lời cần kèm ít nhất một tài liệu, hình ảnh minh chứng.",
        "en": "An answer needs at least one piece of evidence attached.",
    },
    "problem.petitions.evidence_unknown": {
        "vi": "Minh chứng phải là tệp đã tải lên cho chính phản ánh này.",
        "en": "Evidence must be files uploaded to this petition.",
    },
    "problem.petitions.merge_target": {
        "vi": "Chỉ gộp được vào một phản ánh khác, đang còn hiệu lực, trong phạm vi của bạn.",
        "en": "A petition can only be merged into another live petition within your scope.",
    },
    "problem.petitions.reopen_window": {
        "vi": "Chỉ mở lại được trong vòng {days} ngày kể từ khi có trả lời.",
        "en": "A petition can be reopened only within {days} days of its answer.",
    },
    "problem.petitions.rate_not_answered": {
        "vi": "Chỉ đánh giá được khi trả lời đã được công khai.",
        "en": "Only a published answer can be rated.",
    },
    "problem.petitions.already_rated": {
        "vi": "Phản ánh này đã được đánh giá.",
        "en": "This petition was already rated.",
    },
    "problem.petitions.track_locked": {
        "vi": "Bạn đã tra cứu sai mã quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many unknown tracking codes. Try again in {seconds} seconds.",
    },
    "problem.petitions.attachment_too_large": {
        "vi": "Tệp đính kèm vượt quá {limit} byte.",
        "en": "The attachment exceeds {limit} bytes.",
    },
    "problem.petitions.attachment_type": {
        "vi": "Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF.",
        "en": "Only JPEG, PNG and WebP images and PDF files are accepted.",
    },
    "problem.petitions.attachment_corrupt": {
        "vi": "Tệp đính kèm bị hỏng hoặc không đúng định dạng như khai báo.",
        "en": "The attachment is damaged or not what it claims to be.",
    },
    "problem.petitions.sync_create_only": {
        "vi": "Phản ánh chỉ được gửi mới qua đồng bộ; việc xử lý tiếp theo làm trực tuyến.",
        "en": "Petitions are only filed through sync; their handling happens online.",
    },
    "problem.petitions.open311_key": {
        "vi": "Cần khoá API (api_key) hợp lệ hoặc mã truy cập để gửi yêu cầu.",
        "en": "A valid api_key or bearer token is needed to post requests.",
    },
    "petitions.level.central": {"vi": "Cấp Trung ương", "en": "Central level"},
    "petitions.level.province": {"vi": "Cấp tỉnh", "en": "Province level"},
    "petitions.level.commune": {"vi": "Cấp xã", "en": "Commune level"},
    "petitions.stats.group": {"vi": "Nhóm", "en": "Group"},
    "petitions.stats.key": {"vi": "Mã", "en": "Code"},
    "petitions.stats.name": {"vi": "Tên", "en": "Name"},
    "petitions.stats.received": {"vi": "Tiếp nhận", "en": "Received"},
    "petitions.stats.answered_on_time": {"vi": "Trả lời đúng hạn", "en": "Answered on time"},
    "petitions.stats.answered_late": {"vi": "Trả lời trễ hạn", "en": "Answered late"},
    "petitions.stats.open_overdue": {"vi": "Chưa trả lời, quá hạn", "en": "Unanswered, overdue"},
    "petitions.stats.open": {"vi": "Đang xử lý", "en": "Open"},
    "petitions.stats.by_total": {"vi": "Tổng", "en": "Total"},
    "petitions.stats.by_category": {"vi": "Theo lĩnh vực", "en": "By category"},
    "petitions.stats.by_unit": {"vi": "Theo đơn vị", "en": "By unit"},
    "petitions.stats.sheet": {"vi": "Thống kê phản ánh", "en": "Petition statistics"},
    "petitions.event.file": {"vi": "Tiếp nhận", "en": "Filed"},
    "petitions.event.classify": {"vi": "Phân loại", "en": "Classified"},
    "petitions.event.assignee": {"vi": "Giao người xử lý", "en": "Assignee set"},
    "petitions.event.assign": {"vi": "Giao xử lý", "en": "Assigned"},
    "petitions.event.forward": {"vi": "Chuyển cơ quan có thẩm quyền", "en": "Forwarded"},
    "petitions.event.answer": {"vi": "Trả lời", "en": "Answered"},
    "petitions.event.publish": {"vi": "Công khai", "en": "Published"},
    "petitions.event.close": {"vi": "Kết thúc", "en": "Closed"},
    "petitions.event.reject": {"vi": "Từ chối", "en": "Rejected"},
    "petitions.event.merge": {"vi": "Gộp vào phản ánh khác", "en": "Merged into another"},
    "petitions.event.merged_in": {"vi": "Nhận gộp một phản ánh trùng", "en": "A duplicate merged in"},
    "petitions.event.reopen": {"vi": "Mở lại", "en": "Reopened"},
    "petitions.event.escalate": {"vi": "Chuyển lên cấp trên do quá hạn", "en": "Escalated (overdue)"},
    "pwa.petitions.new": {"vi": "Gửi phản ánh, kiến nghị", "en": "File a petition"},
    "pwa.petitions.cadre_intro": {
        "vi": "Ghi nhận phản ánh thay người dân (được lưu trên máy khi mất sóng, tự gửi khi có mạng)."
        " Cần hỏi ý kiến đồng ý của người dân.",
        "en": "Record a petition on a citizen's behalf (kept on the phone without signal, sent when online)."
        " Ask for the citizen's consent.",
    },
    "pwa.petitions.citizen_intro": {
        "vi": "Không cần tài khoản: bạn sẽ nhận mã tra cứu. Hãy để lại số điện thoại hoặc thư điện tử để nhận trả lời.",
        "en": "No account needed: you will get a tracking code. Leave a phone number or e-mail to receive the answer.",
    },
    "pwa.petitions.unit": {"vi": "Đơn vị", "en": "Unit"},
    "pwa.petitions.unit_code": {"vi": "Mã xã/phường hoặc khu dân cư", "en": "Commune or residential area code"},
    "pwa.petitions.category": {"vi": "Lĩnh vực", "en": "Category"},
    "pwa.petitions.category_unknown": {"vi": "Chưa rõ lĩnh vực", "en": "Not sure"},
    "pwa.petitions.title": {"vi": "Tiêu đề", "en": "Title"},
    "pwa.petitions.description": {"vi": "Nội dung (tối đa 4.000 ký tự)", "en": "Description (up to 4,000 characters)"},
    "pwa.petitions.address": {"vi": "Địa chỉ nơi xảy ra", "en": "Address where it happens"},
    "pwa.petitions.contact_name": {"vi": "Họ tên người gửi", "en": "Your name"},
    "pwa.petitions.contact_phone": {"vi": "Số điện thoại", "en": "Phone"},
    "pwa.petitions.contact_email": {"vi": "Thư điện tử", "en": "E-mail"},
    "pwa.petitions.anonymous": {"vi": "Không công khai tên người gửi", "en": "Do not show my name"},
    "pwa.petitions.denunciation": {
        "vi": "Đây là tố cáo (danh tính người gửi được giữ bí mật)",
        "en": "This is a denunciation (the filer's identity is kept secret)",
    },
    "pwa.petitions.consent_given": {
        "vi": "Người dân đồng ý để cán bộ gửi thay",
        "en": "The citizen agrees to this filing on their behalf",
    },
    "pwa.petitions.send": {"vi": "Gửi", "en": "Send"},
    "pwa.petitions.sent": {"vi": "Đã gửi phản ánh", "en": "Petition sent"},
    "pwa.petitions.keep_code": {
        "vi": "Hãy giữ mã tra cứu dưới đây để theo dõi kết quả:",
        "en": "Keep this tracking code to follow your petition:",
    },
    "pwa.petitions.track": {"vi": "Tra cứu bằng mã", "en": "Track by code"},
    "pwa.petitions.code": {"vi": "Mã tra cứu", "en": "Tracking code"},
    "pwa.petitions.expected": {"vi": "Dự kiến có kết quả trước ngày {date}", "en": "Expected by {date}"},
    "pwa.petitions.answer": {"vi": "Trả lời", "en": "Answer"},
    "pwa.petitions.rated": {"vi": "Bạn đã đánh giá {score}/5", "en": "You rated it {score}/5"},
    "pwa.petitions.published": {"vi": "Trả lời đã công khai", "en": "Published answers"},
    "pwa.petitions.search": {"vi": "Tìm (không cần dấu)", "en": "Search (diacritics optional)"},
    "pwa.petitions.none": {"vi": "Chưa có phản ánh nào.", "en": "No petitions yet."},
    "pwa.petitions.mine": {"vi": "Phản ánh của tôi", "en": "My petitions"},
    "pwa.petitions.due": {"vi": "hạn", "en": "due"},
    "pwa.petitions.inbox": {"vi": "Phản ánh cần xử lý", "en": "Petitions to handle"},
    "pwa.petitions.all": {"vi": "Tất cả", "en": "All"},
    "pwa.petitions.more": {"vi": "Xem thêm phản ánh", "en": "More petitions"},
    # Short labels of the inbox filters (the statuses' full sentences are for citizens).
    "pwa.petitions.state.received": {"vi": "Mới tiếp nhận", "en": "New"},
    "pwa.petitions.state.classified": {"vi": "Đã phân loại", "en": "Classified"},
    "pwa.petitions.state.assigned": {"vi": "Đang xử lý", "en": "In progress"},
    "pwa.petitions.state.forwarded": {"vi": "Đã chuyển đi", "en": "Forwarded"},
    "pwa.petitions.state.reopened": {"vi": "Mở lại", "en": "Reopened"},
    "pwa.petitions.state.answered": {"vi": "Chờ công bố", "en": "To publish"},
    "pwa.petitions.dashboard": {"vi": "Tổng hợp phản ánh", "en": "Petition dashboard"},
    "pwa.petitions.detail": {"vi": "Phản ánh, kiến nghị", "en": "Petition"},
    "pwa.petitions.filer_hidden": {
        "vi": "Danh tính người gửi được bảo vệ.",
        "en": "The filer's identity is protected.",
    },
    "pwa.petitions.reason": {"vi": "Lý do", "en": "Reason"},
    "pwa.petitions.assign_me": {"vi": "Nhận xử lý", "en": "Take it"},
    "pwa.petitions.timeline": {"vi": "Diễn biến xử lý", "en": "Timeline"},
    "pwa.petitions.nav": {"vi": "Phản ánh", "en": "Petitions"},
    "petitions.notify.assigned.title": {"vi": "Phản ánh mới được giao", "en": "A petition was assigned to you"},
    "petitions.notify.assigned.body": {"vi": "«{title}» — hạn trả lời {due}.", "en": "«{title}» — answer due {due}."},
    "petitions.notify.reopened.title": {"vi": "Phản ánh được mở lại", "en": "A petition was reopened"},
    "petitions.notify.reopened.body": {
        "vi": "«{title}» được người gửi mở lại: {reason}",
        "en": "«{title}» was reopened by its filer: {reason}",
    },
    "petitions.notify.t-2.title": {"vi": "Còn 2 ngày đến hạn xử lý", "en": "Two days left"},
    "petitions.notify.t-2.body": {"vi": "«{title}» — hạn {due}.", "en": "«{title}» — due {due}."},
    "petitions.notify.t-1.title": {"vi": "Còn 1 ngày đến hạn xử lý", "en": "One day left"},
    "petitions.notify.t-1.body": {"vi": "«{title}» — hạn {due}.", "en": "«{title}» — due {due}."},
    "petitions.notify.overdue.title": {"vi": "Phản ánh đã quá hạn xử lý", "en": "A petition is overdue"},
    "petitions.notify.overdue.body": {
        "vi": "«{title}» đã quá hạn {due}.",
        "en": "«{title}» was due {due}.",
    },
    "petitions.notify.escalated.title": {
        "vi": "Phản ánh quá hạn chuyển lên cấp trên",
        "en": "Overdue petition escalated",
    },
    "petitions.notify.escalated.body": {
        "vi": "«{title}» quá hạn ở đơn vị {unit} và được chuyển lên đơn vị của bạn.",
        "en": "«{title}» is overdue at unit {unit} and was escalated to yours.",
    },
    "petitions.notify.published.title": {"vi": "Phản ánh của bạn đã có trả lời", "en": "Your petition was answered"},
    "petitions.notify.published.body": {
        "vi": "«{title}» đã được trả lời công khai.",
        "en": "«{title}» has a published answer.",
    },
    "petitions.notify.rejected.title": {"vi": "Phản ánh không được tiếp nhận", "en": "Your petition was not taken up"},
    "petitions.notify.rejected.body": {
        "vi": "«{title}»: xem lý do trong chi tiết.",
        "en": "«{title}»: see the reason.",
    },
    "petitions.notify.merged.title": {"vi": "Phản ánh được gộp", "en": "Petitions merged"},
    "petitions.notify.merged.body": {
        "vi": "«{title}» được xử lý chung với «{other}».",
        "en": "«{title}» is handled together with «{other}».",
    },
    # Registry PWA pages: my areas, offline household and resident forms, the conflicts inbox
    "pwa.nav.areas": {"vi": "Địa bàn", "en": "My areas"},
    "pwa.areas.title": {"vi": "Địa bàn của tôi", "en": "My areas"},
    "pwa.areas.households": {"vi": "{count} hộ", "en": "{count} households"},
    "pwa.areas.last_visit": {"vi": "Lần thăm gần nhất {day}", "en": "Last visit {day}"},
    "pwa.areas.never_visited": {"vi": "Chưa có lần thăm nào", "en": "No visit yet"},
    "pwa.areas.recent_visits": {"vi": "{count} lần thăm trong 30 ngày", "en": "{count} visits in 30 days"},
    "pwa.areas.none": {
        "vi": "Bạn chưa được phân công khu dân cư nào.",
        "en": "You are not assigned to any residential area.",
    },
    "pwa.areas.search_all": {"vi": "Tìm trong tất cả các hộ", "en": "Search all households"},
    "pwa.registry.new_household": {"vi": "Thêm hộ gia đình", "en": "Add a household"},
    "pwa.registry.save_household": {"vi": "Lưu hộ gia đình", "en": "Save the household"},
    "pwa.registry.edit_household": {"vi": "Sửa thông tin hộ", "en": "Edit the household"},
    "pwa.registry.new_resident": {"vi": "Thêm nhân khẩu", "en": "Add a member"},
    "pwa.registry.save_resident": {"vi": "Lưu nhân khẩu", "en": "Save the member"},
    "pwa.registry.edit_resident": {"vi": "Sửa thông tin nhân khẩu", "en": "Edit the member"},
    "pwa.registry.save_changes": {"vi": "Lưu thay đổi", "en": "Save changes"},
    "pwa.registry.house_number": {"vi": "Số nhà", "en": "House number"},
    "pwa.registry.street": {"vi": "Đường, ngõ, xóm", "en": "Street or hamlet"},
    "pwa.registry.circumstances": {"vi": "Hoàn cảnh gia đình", "en": "Circumstances"},
    "pwa.registry.notes": {"vi": "Ghi chú", "en": "Notes"},
    "pwa.registry.status": {"vi": "Tình trạng", "en": "Status"},
    "pwa.registry.status.active": {"vi": "Đang sinh sống", "en": "Living here"},
    "pwa.registry.status.moved": {"vi": "Đã chuyển đi", "en": "Moved away"},
    "pwa.registry.unknown": {"vi": "Chưa rõ", "en": "Not known"},
    "pwa.registry.full_name": {"vi": "Họ và tên", "en": "Full name"},
    "pwa.registry.gender": {"vi": "Giới tính", "en": "Gender"},
    "pwa.registry.birth_year": {"vi": "Năm sinh", "en": "Year of birth"},
    "pwa.registry.relation": {"vi": "Quan hệ với chủ hộ", "en": "Relation to the head"},
    "pwa.registry.phone": {"vi": "Số điện thoại", "en": "Phone"},
    "pwa.registry.id_number": {"vi": "Số CCCD", "en": "ID number (CCCD)"},
    "pwa.registry.ethnicity": {"vi": "Dân tộc", "en": "Ethnicity"},
    "pwa.registry.religion": {"vi": "Tôn giáo", "en": "Religion"},
    "pwa.registry.sensitive_on_file": {
        "vi": "Đã có thông tin (được ẩn). Chỉ nhập nếu cần thay.",
        "en": "On file (hidden). Type only to replace it.",
    },
    "pwa.registry.id_number_on_file": {
        "vi": "Đã có: {masked}. Chỉ nhập nếu cần thay.",
        "en": "On file: {masked}. Type only to replace it.",
    },
    "pwa.registry.duplicate.title": {
        "vi": "Có thể đã có trong sổ — kiểm tra trước khi lưu:",
        "en": "May already be recorded — check before saving:",
    },
    "pwa.registry.duplicate.address": {"vi": "cùng địa chỉ", "en": "same address"},
    "pwa.registry.duplicate.name_birth_year_area": {
        "vi": "cùng họ tên, năm sinh, khu dân cư",
        "en": "same name, birth year and area",
    },
    "pwa.registry.duplicate.id_number": {"vi": "cùng số CCCD", "en": "same ID number"},
    "pwa.registry.duplicate.phone": {"vi": "cùng số điện thoại", "en": "same phone"},
    "pwa.registry.duplicate.queued": {
        "vi": "Đã thêm người cùng họ tên và năm sinh vào hộ này, đang chờ gửi — kiểm tra trước khi lưu:",
        "en": "Someone with this name and birth year was added here and waits to be sent — check before saving:",
    },
    "pwa.registry.queued": {"vi": "đang chờ gửi", "en": "waiting to be sent"},
    "pwa.form.too_long": {"vi": "Nội dung quá dài.", "en": "Too long."},
    "pwa.form.name": {
        "vi": "Hãy nhập họ và tên (tối đa 200 ký tự).",
        "en": "Enter the full name (200 characters at most).",
    },
    "pwa.form.birth_year": {
        "vi": "Năm sinh là số có 4 chữ số, từ 1880 đến {year}.",
        "en": "The year of birth has 4 digits, from 1880 to {year}.",
    },
    "pwa.form.phone": {
        "vi": "Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm, +84).",
        "en": "A phone number has digits only (spaces, dots and +84 allowed).",
    },
    "pwa.form.id_number": {"vi": "Số CCCD gồm đúng 12 chữ số.", "en": "An ID number has exactly 12 digits."},
    "pwa.conflicts.title": {"vi": "Xung đột cần xử lý", "en": "Conflicts to resolve"},
    "pwa.conflicts.none": {"vi": "Không có xung đột nào đang chờ.", "en": "No conflict is waiting."},
    "pwa.conflicts.not_allowed": {
        "vi": "Chỉ cán bộ Mặt trận cấp xã xử lý xung đột dữ liệu.",
        "en": "Data conflicts are resolved by commune officers.",
    },
    "pwa.conflicts.not_found": {
        "vi": "Không tìm thấy xung đột này, hoặc bạn không có quyền xem.",
        "en": "This conflict does not exist or is not yours to see.",
    },
    "pwa.conflicts.back": {"vi": "Về danh sách xung đột", "en": "Back to the conflicts"},
    "pwa.conflicts.sent_by": {"vi": "Sửa trên máy của {who} lúc {at}", "en": "Edited on {who}'s phone at {at}"},
    "pwa.conflicts.server": {"vi": "Giữ giá trị hiện có", "en": "Keep the current value"},
    "pwa.conflicts.client": {"vi": "Lấy giá trị mới gửi lên", "en": "Take the value sent"},
    "pwa.conflicts.value": {"vi": "Nhập giá trị khác", "en": "Type another value"},
    "pwa.conflicts.bad_value": {
        "vi": "Giá trị nhập cho «{field}» không hợp lệ.",
        "en": "The value typed for «{field}» is not valid.",
    },
    "pwa.conflicts.changed_again": {
        "vi": "Bản ghi vừa được sửa tiếp; hãy tải lại trang và xem lại.",
        "en": "The record changed again; reload the page and look again.",
    },
    "pwa.conflicts.resolve": {"vi": "Xác nhận xử lý", "en": "Resolve"},
    "pwa.conflicts.resolved": {"vi": "Đã xử lý xung đột.", "en": "Conflict resolved."},
    "pwa.conflicts.yes": {"vi": "Có", "en": "Yes"},
    "pwa.conflicts.no": {"vi": "Không", "en": "No"},
    "pwa.conflicts.entity.household": {"vi": "Hộ gia đình", "en": "Household"},
    "pwa.conflicts.entity.resident": {"vi": "Nhân khẩu", "en": "Resident"},
    "pwa.conflicts.entity.visit": {"vi": "Lần thăm hộ", "en": "Visit"},
    "pwa.conflicts.entity.draft": {"vi": "Ghi chép", "en": "Note"},
    "pwa.conflicts.field.deleted": {"vi": "Đã xóa", "en": "Deleted"},
    "pwa.conflicts.field.house_number": {"vi": "Số nhà", "en": "House number"},
    "pwa.conflicts.field.street": {"vi": "Đường, ngõ, xóm", "en": "Street or hamlet"},
    "pwa.conflicts.field.latitude": {"vi": "Vĩ độ", "en": "Latitude"},
    "pwa.conflicts.field.longitude": {"vi": "Kinh độ", "en": "Longitude"},
    "pwa.conflicts.field.head_resident_id": {"vi": "Chủ hộ", "en": "Head of household"},
    "pwa.conflicts.field.circumstances": {"vi": "Hoàn cảnh gia đình", "en": "Circumstances"},
    "pwa.conflicts.field.notes": {"vi": "Ghi chú", "en": "Notes"},
    "pwa.conflicts.field.status": {"vi": "Tình trạng", "en": "Status"},
    "pwa.conflicts.field.merged_into": {"vi": "Nhập vào hộ", "en": "Merged into"},
    "pwa.conflicts.field.full_name": {"vi": "Họ và tên", "en": "Full name"},
    "pwa.conflicts.field.gender": {"vi": "Giới tính", "en": "Gender"},
    "pwa.conflicts.field.birth_date": {"vi": "Ngày sinh", "en": "Birth date"},
    "pwa.conflicts.field.birth_year": {"vi": "Năm sinh", "en": "Year of birth"},
    "pwa.conflicts.field.relation_to_head": {"vi": "Quan hệ với chủ hộ", "en": "Relation to the head"},
    "pwa.conflicts.field.phone": {"vi": "Số điện thoại", "en": "Phone"},
    "pwa.conflicts.field.ethnicity": {"vi": "Dân tộc", "en": "Ethnicity"},
    "pwa.conflicts.field.religion": {"vi": "Tôn giáo", "en": "Religion"},
    "pwa.conflicts.field.id_number": {"vi": "Số CCCD", "en": "ID number"},
    "pwa.conflicts.field.health_note": {"vi": "Tình trạng sức khỏe", "en": "Health"},
    "pwa.conflicts.field.memberships": {"vi": "Hội viên, đoàn viên", "en": "Memberships"},
    "pwa.conflicts.field.moved_in_on": {"vi": "Ngày chuyển đến", "en": "Moved in on"},
    "pwa.conflicts.field.moved_out_on": {"vi": "Ngày chuyển đi", "en": "Moved out on"},
    "pwa.conflicts.field.visited_on": {"vi": "Ngày thăm", "en": "Date of the visit"},
    "pwa.conflicts.field.purpose": {"vi": "Mục đích", "en": "Purpose"},
    "pwa.conflicts.field.needs": {"vi": "Nhu cầu của gia đình", "en": "The family's needs"},
    "pwa.conflicts.field.concerns": {"vi": "Điều bà con phản ánh", "en": "Concerns raised"},
    "pwa.conflicts.field.feedback": {"vi": "Ý kiến đóng góp", "en": "Feedback"},
    "pwa.conflicts.field.follow_up": {"vi": "Việc cần làm tiếp", "en": "Follow-up"},
    "pwa.conflicts.field.title": {"vi": "Tiêu đề", "en": "Title"},
    "pwa.conflicts.field.body": {"vi": "Nội dung", "en": "Content"},
    "pwa.conflicts.field.kind": {"vi": "Loại", "en": "Kind"},
    # --- congress tracking (backend/features/congress, pwa/features/congress) ---
    "problem.congress.level_twice": {
        "vi": "Mỗi cấp chỉ được khai báo một lần trong nhiệm kỳ ({levels}).",
        "en": "Each level may appear only once in a term ({levels}).",
    },
    "problem.congress.years_reversed": {
        "vi": "Năm bắt đầu nhiệm kỳ phải trước năm kết thúc.",
        "en": "A term must start before it ends.",
    },
    "problem.congress.term_exists": {"vi": "Nhiệm kỳ {code} đã có.", "en": "Term {code} exists already."},
    "problem.congress.term_not_found": {
        "vi": "Không tìm thấy nhiệm kỳ đại hội {code}.",
        "en": "Congress term {code} was not found.",
    },
    "problem.congress.deadline_level_below": {
        "vi": "Chỉ đơn vị cùng cấp hoặc cấp trên mới đặt hạn cho đại hội cấp {level}.",
        "en": "Only a unit at or above the {level} level sets deadlines for its congresses.",
    },
    "problem.congress.deadline_later_than_parent": {
        "vi": "Hạn {due_on} muộn hơn hạn cấp trên ({bound}); cấp dưới chỉ được đặt hạn sớm hơn hoặc bằng.",
        "en": "The deadline {due_on} is later than the one set above ({bound}); units below may only tighten it.",
    },
    "problem.congress.not_found": {"vi": "Không tìm thấy đại hội.", "en": "Congress not found."},
    "problem.congress.milestone_not_found": {
        "vi": "Không có mốc «{stage}» trong đại hội này.",
        "en": "This congress has no milestone «{stage}».",
    },
    "problem.congress.version_mismatch": {
        "vi": "Dữ liệu đã được người khác thay đổi (phiên bản hiện tại: {version}); hãy tải lại rồi sửa.",
        "en": "Someone else changed this meanwhile (current version: {version}); reload and try again.",
    },
    "problem.congress.dependency_not_done": {
        "vi": "Chưa thể báo hoàn thành «{stage}»: mốc «{needed}» phải hoàn thành trước (và không muộn hơn).",
        "en": "«{stage}» cannot be done yet: «{needed}» must be done first (and no later).",
    },
    "problem.congress.dependent_done": {
        "vi": "Không thể bỏ hoàn thành «{stage}» khi mốc «{needed}» dựa trên nó đã hoàn thành.",
        "en": "«{stage}» cannot be undone while «{needed}», which depends on it, is done.",
    },
    "problem.congress.result_not_found": {
        "vi": "Đại hội này chưa có kết quả.",
        "en": "This congress has no results yet.",
    },
    "problem.congress.reason_required": {
        "vi": "Hãy ghi lý do (trả lại hoặc mở lại kết quả cần lý do).",
        "en": "Give a reason (returning or reopening results needs one).",
    },
    "problem.congress.result_locked": {
        "vi": "Kết quả đã được cấp trên phê duyệt và khóa; cần cấp trên mở lại trước khi sửa.",
        "en": "The results were approved and locked by the level above; they must reopen them first.",
    },
    "problem.congress.result_transition": {
        "vi": "Không thể thực hiện «{action}» khi kết quả đang ở trạng thái «{state}».",
        "en": "«{action}» is not possible while the results are «{state}».",
    },
    "problem.congress.results_before_congress": {
        "vi": "Chưa thể báo kết quả: ngày đại hội ({held_on}) chưa đến.",
        "en": "Results cannot be reported before the congress day ({held_on}).",
    },
    "problem.congress.one_chair": {
        "vi": "Ủy ban chỉ có một Chủ tịch.",
        "en": "A committee has one chair.",
    },
    "problem.congress.committee_smaller_than_leaders": {
        "vi": "Số ủy viên ({size}) ít hơn số Chủ tịch và Phó Chủ tịch ({leaders}).",
        "en": "The committee ({size}) is smaller than its chair and vice-chairs ({leaders}).",
    },
    "problem.congress.standing_larger_than_committee": {
        "vi": "Ban Thường trực đông hơn Ủy ban ({size} ủy viên).",
        "en": "The standing committee is larger than the committee ({size} members).",
    },
    "problem.congress.done_on_without_done": {
        "vi": "Chỉ ghi ngày hoàn thành khi mốc đã hoàn thành.",
        "en": "A done date goes only with status done.",
    },
    "problem.congress.done_on_required": {
        "vi": "Hãy ghi ngày hoàn thành.",
        "en": "Give the date it was done.",
    },
    "problem.congress.done_on_future": {
        "vi": "Ngày hoàn thành không được ở tương lai.",
        "en": "The done date cannot be in the future.",
    },
    "congress.stage.plan": {"vi": "Kế hoạch, chỉ thị", "en": "Directive and plan"},
    "congress.stage.sub_committees": {"vi": "Thành lập tiểu ban, tổ giúp việc", "en": "Sub-committees"},
    "congress.stage.draft_documents": {"vi": "Dự thảo văn kiện", "en": "Draft documents"},
    "congress.stage.consultation": {"vi": "Lấy ý kiến dự thảo", "en": "Consultation on the drafts"},
    "congress.stage.personnel_plan": {"vi": "Phương án nhân sự", "en": "Personnel plan"},
    "congress.stage.pilot_congress": {"vi": "Đại hội điểm", "en": "Pilot congress"},
    "congress.stage.party_congress": {"vi": "Đại hội Đảng bộ cùng cấp", "en": "Party congress of the level"},
    "congress.stage.congress_day": {"vi": "Tổ chức Đại hội", "en": "Congress day"},
    "congress.stage.results_reported": {"vi": "Báo cáo kết quả lên cấp trên", "en": "Results reported"},
    "congress.stage.member_congresses": {
        "vi": "Đại hội các tổ chức thành viên",
        "en": "Member organisations' congresses",
    },
    "congress.count.expected": {"vi": "Phải thực hiện", "en": "Expected"},
    "congress.count.not_reported": {"vi": "Chưa báo cáo", "en": "Not reported"},
    "congress.count.not_started": {"vi": "Chưa bắt đầu", "en": "Not started"},
    "congress.count.in_progress": {"vi": "Đang thực hiện", "en": "In progress"},
    "congress.count.done": {"vi": "Hoàn thành", "en": "Done"},
    "congress.count.done_on_time": {"vi": "Đúng hạn", "en": "On time"},
    "congress.count.done_late": {"vi": "Hoàn thành trễ", "en": "Done late"},
    "congress.count.overdue": {"vi": "Quá hạn", "en": "Overdue"},
    "congress.count.on_time_share": {"vi": "Tỷ lệ đúng hạn", "en": "On-time share"},
    "congress.count.units": {"vi": "Đơn vị", "en": "Units"},
    "congress.count.milestones": {"vi": "Mốc", "en": "Milestones"},
    "congress.export.stages": {"vi": "Theo mốc", "en": "By milestone"},
    "congress.export.children": {"vi": "Theo đơn vị", "en": "By unit"},
    "congress.export.late": {"vi": "Đơn vị trễ hạn", "en": "Late units"},
    "congress.export.stage": {"vi": "Mốc", "en": "Milestone"},
    "congress.export.unit": {"vi": "Đơn vị", "en": "Unit"},
    "congress.export.due_on": {"vi": "Hạn", "en": "Due"},
    "congress.export.days_late": {"vi": "Số ngày trễ", "en": "Days late"},
    "congress.alert.t7_title": {"vi": "Còn một tuần: {stage}", "en": "One week left: {stage}"},
    "congress.alert.t1_title": {"vi": "Sắp đến hạn: {stage}", "en": "Due tomorrow: {stage}"},
    "congress.alert.overdue_title": {"vi": "Quá hạn: {stage}", "en": "Overdue: {stage}"},
    "congress.alert.due_body": {
        "vi": "{unit}: «{stage}» đến hạn ngày {due_on} (còn {days} ngày).",
        "en": "{unit}: «{stage}» is due on {due_on} ({days} days left).",
    },
    "congress.alert.overdue_body": {
        "vi": "{unit}: «{stage}» đã quá hạn {days} ngày (hạn {due_on}).",
        "en": "{unit}: «{stage}» is {days} days overdue (due {due_on}).",
    },
    "congress.digest.title": {
        "vi": "{unit}: {count} đơn vị trễ hạn đại hội",
        "en": "{unit}: {count} units late with their congress",
    },
    "congress.digest.more": {"vi": "… và {count} đơn vị khác", "en": "… and {count} more units"},
    "congress.approval.title": {"vi": "Kết quả đại hội chờ duyệt: {unit}", "en": "Congress results to approve: {unit}"},
    "congress.approval.body": {
        "vi": "{unit} đã gửi kết quả đại hội; hãy xem và duyệt hoặc trả lại.",
        "en": "{unit} submitted its congress results; review them, then approve or return them.",
    },
    "pwa.congress.title": {"vi": "Đại hội của đơn vị", "en": "My unit's congress"},
    "pwa.congress.no_units_below": {
        "vi": "Không có đơn vị cấp dưới tổ chức đại hội: tiến độ của đơn vị mình ở trang Đại hội.",
        "en": "No unit below holds a congress: this unit's own progress is on the Congress page.",
    },
    "pwa.congress.none": {
        "vi": "Chưa có đại hội nào để theo dõi ở đơn vị này.",
        "en": "There is no congress to follow for this unit.",
    },
    "pwa.congress.milestones": {"vi": "Các mốc", "en": "Milestones"},
    "pwa.congress.due": {"vi": "Hạn {due_on}", "en": "Due {due_on}"},
    "pwa.congress.days_left": {"vi": "còn {days} ngày", "en": "{days} days left"},
    "pwa.congress.days_late": {"vi": "trễ {days} ngày", "en": "{days} days late"},
    "pwa.congress.status": {"vi": "Tình trạng", "en": "Status"},
    "pwa.congress.status.not_reported": {"vi": "Chưa báo cáo", "en": "Not reported"},
    "pwa.congress.status.not_started": {"vi": "Chưa bắt đầu", "en": "Not started"},
    "pwa.congress.status.in_progress": {"vi": "Đang thực hiện", "en": "In progress"},
    "pwa.congress.status.done": {"vi": "Hoàn thành", "en": "Done"},
    "pwa.congress.status.late": {"vi": "Trễ hạn", "en": "Late"},
    "pwa.congress.done_on": {"vi": "Ngày hoàn thành", "en": "Date done"},
    "pwa.congress.evidence": {
        "vi": "Minh chứng (đường dẫn tài liệu, ảnh, biên bản)",
        "en": "Evidence (link to a document, photo, minutes)",
    },
    "pwa.congress.save": {"vi": "Lưu", "en": "Save"},
    "pwa.congress.submit": {"vi": "Gửi cấp trên duyệt", "en": "Submit for approval"},
    "pwa.congress.results": {"vi": "Kết quả đại hội", "en": "Congress results"},
    "pwa.congress.no_result": {"vi": "Chưa nhập kết quả.", "en": "No results entered yet."},
    "pwa.congress.result.held_on": {"vi": "Ngày đại hội", "en": "Date held"},
    "pwa.congress.result.delegates_count": {"vi": "Số đại biểu", "en": "Delegates"},
    "pwa.congress.result.committee_size": {"vi": "Số ủy viên Ủy ban", "en": "Committee members"},
    "pwa.congress.result.chair": {"vi": "Chủ tịch", "en": "Chair"},
    "pwa.congress.result.vice_chairs": {
        "vi": "Các Phó Chủ tịch (cách nhau bởi dấu phẩy)",
        "en": "Vice-chairs (separated by commas)",
    },
    "pwa.congress.result.women_pct": {"vi": "Tỷ lệ nữ (%)", "en": "Women (%)"},
    "pwa.congress.result.non_party_pct": {"vi": "Tỷ lệ ngoài Đảng (%)", "en": "Non-Party members (%)"},
    "pwa.congress.result.ethnic_minority_pct": {"vi": "Tỷ lệ dân tộc thiểu số (%)", "en": "Ethnic minorities (%)"},
    "pwa.congress.result.religious_pct": {"vi": "Tỷ lệ tôn giáo (%)", "en": "Religious people (%)"},
    "pwa.congress.result.youth_pct": {"vi": "Tỷ lệ trẻ tuổi (%)", "en": "Youth (%)"},
    "pwa.congress.result_state.draft": {"vi": "Bản nháp", "en": "Draft"},
    "pwa.congress.result_state.submitted": {"vi": "Đã gửi, chờ cấp trên duyệt", "en": "Submitted, awaiting approval"},
    "pwa.congress.result_state.returned": {"vi": "Cấp trên trả lại", "en": "Returned by the level above"},
    "pwa.congress.result_state.approved": {"vi": "Đã duyệt và khóa", "en": "Approved and locked"},
    "pwa.congress.result_state.reopened": {"vi": "Cấp trên mở lại để sửa", "en": "Reopened for changes"},
    "pwa.congress.dashboard": {"vi": "Tiến độ đại hội", "en": "Congress progress"},
    "pwa.congress.summary": {
        "vi": "{units} đơn vị · đúng hạn {share} · {late} đơn vị trễ hạn",
        "en": "{units} units · on time {share} · {late} units late",
    },
    "pwa.congress.stage_line": {
        "vi": "Hoàn thành {done}/{expected} · đúng hạn {on_time} · quá hạn {overdue} · chưa báo cáo {not_reported}",
        "en": "Done {done}/{expected} · on time {on_time} · overdue {overdue} · not reported {not_reported}",
    },
    "pwa.congress.children": {"vi": "Theo đơn vị trực thuộc", "en": "By unit below"},
    "pwa.congress.child_line": {
        "vi": "{units} đơn vị · quá hạn {overdue} · chưa báo cáo {not_reported} · đúng hạn {share}",
        "en": "{units} units · overdue {overdue} · not reported {not_reported} · on time {share}",
    },
    "pwa.congress.late_units": {"vi": "Đơn vị trễ hạn", "en": "Late units"},
    "pwa.congress.export": {"vi": "Tải bảng Excel", "en": "Download as Excel"},
    "pwa.congress.approvals": {"vi": "Kết quả chờ duyệt", "en": "Results awaiting approval"},
    "pwa.congress.no_approvals": {"vi": "Không có kết quả nào chờ duyệt.", "en": "Nothing awaits your approval."},
    "pwa.congress.held_on": {"vi": "Đại hội ngày {held_on}", "en": "Held on {held_on}"},
    "pwa.congress.reason": {"vi": "Lý do (khi trả lại)", "en": "Reason (when returning)"},
    "pwa.congress.approve": {"vi": "Duyệt và khóa", "en": "Approve and lock"},
    "pwa.congress.return": {"vi": "Trả lại", "en": "Return"},
    "pwa.congress.history": {"vi": "Lịch sử kết quả", "en": "History of the results"},
    "pwa.congress.no_history": {
        "vi": "Chưa có bước nào: lưu rồi gửi cấp trên duyệt.",
        "en": "Nothing yet: save, then submit for approval.",
    },
    # Assistant (trợ lý ảo tham mưu): figures, answers, situation reports, problems, the chat page
    "assistant.query.petitions.stats.title": {
        "vi": "Phản ánh, kiến nghị tiếp nhận từ {since} đến {until}",
        "en": "Petitions received from {since} to {until}",
    },
    "assistant.query.petitions.stats.summary": {
        "vi": "Từ {since} đến {until}, {unit} tiếp nhận {total} phản ánh, kiến nghị; {answered} đã được trả lời"
        " ({late} trả lời trễ hạn); {overdue} chưa trả lời đã quá hạn; {open} đang xử lý.",
        "en": "From {since} to {until}, {unit} received {total} petitions; {answered} were answered ({late} late);"
        " {overdue} unanswered are overdue; {open} are open.",
    },
    "assistant.query.petitions.by_state.title": {
        "vi": "Phản ánh, kiến nghị theo trạng thái ({since}–{until})",
        "en": "Petitions by status ({since}–{until})",
    },
    "assistant.query.petitions.by_state.summary": {
        "vi": "{total} phản ánh, kiến nghị tiếp nhận từ {since} đến {until} tại {unit}, chia theo trạng thái hiện nay.",
        "en": "{total} petitions received from {since} to {until} in {unit}, by their current status.",
    },
    "assistant.query.petitions.by_unit.title": {
        "vi": "Phản ánh, kiến nghị theo địa bàn ({since}–{until})",
        "en": "Petitions by area ({since}–{until})",
    },
    "assistant.query.petitions.by_unit.summary": {
        "vi": "Trong {total} phản ánh, kiến nghị của {unit} từ {since} đến {until}, nơi nhiều nhất là {top}.",
        "en": "Of the {total} petitions of {unit} from {since} to {until}, most came from {top}.",
    },
    "assistant.query.petitions.overdue.title": {
        "vi": "Phản ánh, kiến nghị quá hạn chưa trả lời",
        "en": "Overdue unanswered petitions",
    },
    "assistant.query.petitions.overdue.summary": {
        "vi": "Hiện có {total} phản ánh, kiến nghị của {unit} đã quá hạn mà chưa được trả lời.",
        "en": "{total} petitions of {unit} are past their deadline without an answer.",
    },
    "assistant.query.visits.coverage.title": {
        "vi": "Thăm hộ gia đình theo khu dân cư ({since}–{until})",
        "en": "Household visits by residential area ({since}–{until})",
    },
    "assistant.query.visits.coverage.summary": {
        "vi": "Từ {since} đến {until}, cán bộ đã thăm {total} trên {households} hộ của {unit} ({share}%).",
        "en": "From {since} to {until}, cadres visited {total} of the {households} households of {unit} ({share}%).",
    },
    "assistant.query.visits.concerns.title": {
        "vi": "Ý kiến người dân nêu khi thăm hộ ({since}–{until})",
        "en": "Concerns raised at the door ({since}–{until})",
    },
    "assistant.query.visits.concerns.summary": {
        "vi": "Từ {since} đến {until}, {total} lần thăm hộ tại {unit} ghi nhận ý kiến, băn khoăn của người dân.",
        "en": "From {since} to {until}, {total} visits in {unit} recorded residents' concerns.",
    },
    "assistant.query.congress.late.title": {
        "vi": "Đơn vị chậm tiến độ đại hội (nhiệm kỳ {term})",
        "en": "Units late with their congress (term {term})",
    },
    "assistant.query.congress.late.summary": {
        "vi": "Dưới {unit} có {total} đại hội có mốc công việc đã quá hạn mà chưa hoàn thành (nhiệm kỳ {term}).",
        "en": "Below {unit}, {total} congresses have a milestone past its deadline not done (term {term}).",
    },
    "assistant.query.congress.progress.title": {
        "vi": "Tiến độ đại hội của {unit} (nhiệm kỳ {term})",
        "en": "Congress progress of {unit} (term {term})",
    },
    "assistant.query.congress.progress.summary": {
        "vi": "Đại hội của {unit} (nhiệm kỳ {term}): {total} trên {milestones} mốc công việc đã hoàn thành;"
        " {late} mốc đã quá hạn mà chưa xong.",
        "en": "The congress of {unit} (term {term}): {total} of {milestones} milestones done; {late} past their"
        " deadline and not done.",
    },
    "assistant.query.congress.progress.none.title": {
        "vi": "Tiến độ đại hội của {unit}",
        "en": "Congress progress of {unit}",
    },
    "assistant.query.congress.progress.none.summary": {
        "vi": "Hệ thống chưa có đại hội nào của {unit} để theo dõi.",
        "en": "No congress of {unit} is tracked on the platform.",
    },
    "assistant.overdue_row": {"vi": "{category}, hạn {due}", "en": "{category}, due {due}"},
    "assistant.milestone_row": {"vi": "{stage} — {status} (hạn {due})", "en": "{stage} — {status} (due {due})"},
    "assistant.congress_row": {"vi": "{unit} — {stage} (hạn {due})", "en": "{unit} — {stage} (due {due})"},
    "assistant.uncategorised": {"vi": "Chưa phân loại", "en": "Not classified"},
    "assistant.answer.quote": {"vi": "Theo {source}: {text} [{ref}]", "en": "According to {source}: {text} [{ref}]"},
    "assistant.answer.no_source": {
        "vi": "Không tìm thấy nguồn nào trong thư viện hay số liệu của hệ thống trả lời câu hỏi này, nên trợ lý"
        " không đưa ra câu trả lời.",
        "en": "No source in the library or the platform's data answers this question, so the assistant gives"
        " no answer.",
    },
    "assistant.suggest.library": {
        "vi": "Tra cứu thư viện với từ khoá khác: /library?q={query}",
        "en": "Search the library with other words: /library?q={query}",
    },
    "assistant.suggest.official": {
        "vi": "Tra văn bản gốc trên Cơ sở dữ liệu quốc gia về văn bản pháp luật (vbpl.vn).",
        "en": "Look up the original text in the national legal documents database (vbpl.vn).",
    },
    "assistant.suggest.ask_above": {
        "vi": "Hỏi Ban Thường trực Ủy ban Mặt trận cấp trên hoặc bộ phận chuyên môn phụ trách.",
        "en": "Ask the Standing Committee of the Front at the level above, or the department in charge.",
    },
    "assistant.report.title": {
        "vi": "Báo cáo tình hình {unit} từ {since} đến {until} (dự thảo)",
        "en": "Situation report of {unit} from {since} to {until} (draft)",
    },
    "assistant.report.draft_note": {
        "vi": "Dự thảo do trợ lý lập từ số liệu hệ thống lúc {at}; cán bộ kiểm tra, chỉnh sửa trước khi ký.",
        "en": "Draft assembled by the assistant from the platform's data at {at}; to be checked and edited before"
        " signing.",
    },
    "assistant.report.petitions": {"vi": "Tiếp nhận, giải quyết phản ánh, kiến nghị", "en": "Petitions"},
    "assistant.report.visits": {"vi": "Thăm hộ gia đình, nắm tình hình nhân dân", "en": "Household visits"},
    "assistant.report.congress": {"vi": "Tiến độ đại hội", "en": "Congress progress"},
    "assistant.report.sources": {"vi": "Nguồn số liệu", "en": "Sources of the figures"},
    "assistant.report.source": {"vi": "[{ref}] truy vấn {query}: {link}", "en": "[{ref}] query {query}: {link}"},
    "assistant.report.column.item": {"vi": "Nội dung", "en": "Item"},
    "assistant.report.column.value": {"vi": "Số lượng", "en": "Count"},
    "assistant.report.column.of": {"vi": "Trên tổng số", "en": "Out of"},
    "assistant.report.column.answered": {"vi": "Đã trả lời", "en": "Answered"},
    "assistant.report.column.late": {"vi": "Trả lời trễ hạn", "en": "Answered late"},
    "assistant.report.column.overdue": {"vi": "Quá hạn chưa trả lời", "en": "Overdue, unanswered"},
    "problem.assistant.unknown_query": {
        "vi": "Không có truy vấn số liệu «{query_id}».",
        "en": "There is no figure query «{query_id}».",
    },
    "pwa.assistant.title": {"vi": "Trợ lý tham mưu", "en": "Advisory assistant"},
    "pwa.assistant.intro": {
        "vi": "Hỏi về quy định, hướng dẫn trong thư viện và số liệu của đơn vị. Mọi câu trả lời đều ghi nguồn;"
        " trợ lý chỉ hỗ trợ, người cán bộ quyết định.",
        "en": "Ask about the rules and guides of the library and your unit's figures. Every answer cites its"
        " sources; the assistant assists, people decide.",
    },
    "pwa.assistant.question": {"vi": "Câu hỏi", "en": "Question"},
    "pwa.assistant.ask": {"vi": "Hỏi", "en": "Ask"},
    "pwa.assistant.sources": {"vi": "Nguồn trích dẫn", "en": "Sources"},
    "pwa.assistant.figures": {"vi": "Số liệu", "en": "Figures"},
    "pwa.assistant.query_link": {"vi": "Xem truy vấn", "en": "See the query"},
    "pwa.assistant.suggestions": {"vi": "Nên tìm ở đâu", "en": "Where to look"},
    "pwa.assistant.removed": {
        "vi": "Câu bị loại vì không có nguồn hợp lệ",
        "en": "Sentences removed for want of a valid source",
    },
    "pwa.assistant.report": {"vi": "Lập báo cáo tình hình", "en": "Draft a situation report"},
    "pwa.assistant.since": {"vi": "Từ ngày", "en": "From"},
    "pwa.assistant.until": {"vi": "Đến ngày", "en": "To"},
    "pwa.assistant.unit": {"vi": "Mã đơn vị", "en": "Unit code"},
    "pwa.assistant.download_docx": {"vi": "Tải DOCX", "en": "Download DOCX"},
    "pwa.assistant.download_md": {"vi": "Tải Markdown", "en": "Download Markdown"},
    "pwa.assistant.no_scope": {
        "vi": "Trợ lý dành cho cán bộ có đơn vị được giao.",
        "en": "The assistant is for staff assigned to a unit.",
    },
    # Home: one card per app, with what it is for.
    "pwa.home.apps": {"vi": "Ứng dụng", "en": "Apps"},
    "pwa.home.public": {"vi": "Dành cho người dân", "en": "For citizens"},
    "pwa.home.areas": {"vi": "Hộ gia đình, nhân khẩu, thăm hộ", "en": "Households, residents, visits"},
    "pwa.home.petitions": {"vi": "Tiếp nhận, xử lý, trả lời", "en": "Receive, handle, answer"},
    "pwa.home.library": {"vi": "Hướng dẫn, văn bản, biểu mẫu", "en": "Guides, legal texts, forms"},
    "pwa.home.assistant": {"vi": "Hỏi đáp có dẫn nguồn, báo cáo tình hình", "en": "Cited answers, situation reports"},
    "pwa.home.congress": {"vi": "Tiến độ, kết quả đại hội các cấp", "en": "Congress progress and results"},
    "pwa.home.report": {"vi": "Số liệu tuần báo cáo cấp trên", "en": "Weekly figures reported upward"},
    "pwa.home.units": {"vi": "Tỉnh, xã, khu dân cư", "en": "Provinces, communes, areas"},
    "pwa.home.system": {"vi": "Cơ sở dữ liệu, dung lượng, sao lưu", "en": "Database, disk space, backups"},
    "pwa.home.notes": {"vi": "Ghi nhanh, dùng được khi mất mạng", "en": "Quick notes, work offline"},
    "pwa.home.notifications": {"vi": "Việc được giao, hạn sắp đến", "en": "Assignments, coming deadlines"},
    "pwa.home.file": {"vi": "Gửi ý kiến của bạn tới Mặt trận", "en": "Send your concern to the Front"},
    "pwa.home.track": {"vi": "Xem tiến độ bằng mã tra cứu", "en": "Follow it with your tracking code"},
    "pwa.home.published": {"vi": "Các trả lời đã công khai", "en": "Answers made public"},
    # Petitions: the detail page's forward, answer with evidence, merge and reopen (pwa/features/petitions).
    "pwa.petitions.forwarded_to": {"vi": "Cơ quan có thẩm quyền", "en": "Competent body"},
    "pwa.petitions.dispatch_number": {"vi": "Số công văn", "en": "Dispatch number"},
    "pwa.petitions.dispatch_date": {"vi": "Ngày công văn", "en": "Dispatch date"},
    "pwa.petitions.note": {"vi": "Ghi chú (không bắt buộc)", "en": "Note (optional)"},
    "pwa.petitions.forwarded": {
        "vi": "Đã chuyển {body}, công văn số {number} ngày {date}",
        "en": "Forwarded to {body}, dispatch no. {number} of {date}",
    },
    "pwa.petitions.answer_text": {"vi": "Nội dung trả lời", "en": "Answer"},
    "pwa.petitions.evidence": {"vi": "Minh chứng", "en": "Evidence"},
    "pwa.petitions.evidence_none": {
        "vi": "Chưa có minh chứng: tải lên ít nhất một ảnh hoặc tệp PDF trước khi trả lời.",
        "en": "No evidence yet: upload at least one photo or PDF before answering.",
    },
    "pwa.petitions.evidence_pick": {
        "vi": "Ảnh (JPEG, PNG, WebP) hoặc PDF, tối đa {size} MB",
        "en": "Photo (JPEG, PNG, WebP) or PDF, up to {size} MB",
    },
    "pwa.petitions.evidence_upload": {"vi": "Tải minh chứng lên", "en": "Upload evidence"},
    "pwa.petitions.evidence_refresh": {"vi": "Cập nhật danh sách minh chứng", "en": "Refresh the evidence list"},
    "pwa.petitions.evidence_no_file": {"vi": "Hãy chọn một ảnh hoặc tệp PDF.", "en": "Choose a photo or PDF first."},
    "pwa.petitions.evidence_too_large": {
        "vi": "Tệp “{name}” quá lớn: tối đa {size} MB.",
        "en": "“{name}” is too large: {size} MB at most.",
    },
    "pwa.petitions.evidence_type": {
        "vi": "Tệp “{name}” không phải ảnh JPEG, PNG, WebP hoặc PDF.",
        "en": "“{name}” is not a JPEG, PNG or WebP photo or a PDF.",
    },
    "pwa.petitions.evidence_failed": {
        "vi": "Chưa tải lên được (mất mạng?). Nội dung trả lời vẫn còn; hãy thử lại.",
        "en": "The upload failed (no signal?). Your answer is still here; try again.",
    },
    "pwa.petitions.duplicates": {"vi": "Phản ánh có thể trùng", "en": "Possible duplicates"},
    "pwa.petitions.duplicates_none": {
        "vi": "Không thấy phản ánh nào trùng trong phạm vi của bạn.",
        "en": "No duplicate found within your scope.",
    },
    "pwa.petitions.duplicate.similar_text": {"vi": "nội dung giống", "en": "similar text"},
    "pwa.petitions.duplicate.same_category": {"vi": "cùng lĩnh vực", "en": "same category"},
    "pwa.petitions.duplicate.same_area": {"vi": "cùng khu dân cư", "en": "same area"},
    "pwa.petitions.duplicate.nearby": {"vi": "gần nhau", "en": "nearby"},
    "pwa.petitions.merged_into": {"vi": "Đã gộp vào phản ánh này", "en": "Merged into this petition"},
    "pwa.petitions.reopen_reason": {
        "vi": "Lý do mở lại (ví dụ: vẫn chưa được giải quyết)",
        "en": "Why reopen (for instance: still not solved)",
    },
    "pwa.petitions.check_field": {
        "vi": "Hãy điền lại «{field}»: còn thiếu, quá dài hoặc quá ngắn.",
        "en": "Please check «{field}»: missing, too long or too short.",
    },
    # Assistant: the answer streamed to the chat page (pwa/features/assistant).
    "pwa.assistant.writing": {"vi": "Đang soạn câu trả lời…", "en": "Writing the answer…"},
    "pwa.assistant.draft": {
        "vi": "Bản nháp, đang kiểm tra nguồn trích dẫn: câu trả lời chính thức sẽ thay thế bản này.",
        "en": "Draft, citations being checked: the checked answer will replace it.",
    },
    "pwa.assistant.whole_answer": {
        "vi": "Mạng chập chờn? Tải câu trả lời đầy đủ",
        "en": "Patchy connection? Load the complete answer",
    },
    # Backup and restore (`mattran backup` / `mattran restore`, backend/features/backup).
    "backup.done": {
        "vi": "Đã sao lưu vào {path} ({size} byte): {tables} bảng, {rows} dòng, {files} tệp; nhật ký kiểm toán"
        " {entries} mục, mã cuối {head}.\nMã sha256 của bản sao lưu (lưu riêng, để kiểm tra sau): {sha256}",
        "en": "Backup written to {path} ({size} bytes): {tables} tables, {rows} rows, {files} files; audit log"
        " {entries} entries, head {head}.\nsha256 of the archive (keep it apart, to check it later): {sha256}",
    },
    "backup.restored": {
        "vi": "Đã khôi phục bản sao lưu lúc {created_at} (mattran {version}): {tables} bảng, {rows} dòng, {files}"
        " tệp, số dòng mỗi bảng khớp; chuỗi nhật ký kiểm toán nguyên vẹn ({entries} mục, mã cuối {head}).",
        "en": "Restored the backup of {created_at} (mattran {version}): {tables} tables, {rows} rows, {files} files,"
        " every table's row count matches; the audit chain verifies ({entries} entries, head {head}).",
    },
    "backup.error.tool_missing": {
        "vi": "Không tìm thấy {tool} (đã tìm trong: {where}). Đặt MATTRAN_BACKUP_PG_BIN_DIR là thư mục bin của"
        " PostgreSQL.",
        "en": "{tool} was not found (looked in: {where}). Set MATTRAN_BACKUP_PG_BIN_DIR to PostgreSQL's bin folder.",
    },
    "backup.error.tool_unusable": {
        "vi": "Không chạy được {tool}: {reason}",
        "en": "{tool} could not be run: {reason}",
    },
    "backup.error.dump_too_old": {
        "vi": "pg_dump {tool_version} không sao lưu được máy chủ PostgreSQL {server_version}: cần pg_dump cùng"
        " phiên bản chính với máy chủ hoặc mới hơn (đặt MATTRAN_BACKUP_PG_BIN_DIR).",
        "en": "pg_dump {tool_version} cannot back up a PostgreSQL {server_version} server: pg_dump must be the"
        " server's major version or newer (set MATTRAN_BACKUP_PG_BIN_DIR).",
    },
    "backup.error.restore_too_old": {
        "vi": "pg_restore {tool_version} không đọc được bản sao lưu do pg_dump {dump_version} tạo: cần pg_restore"
        " {dump_version} trở lên (đặt MATTRAN_BACKUP_PG_BIN_DIR).",
        "en": "pg_restore {tool_version} cannot read an archive written by pg_dump {dump_version}: use pg_restore"
        " {dump_version} or newer (set MATTRAN_BACKUP_PG_BIN_DIR).",
    },
    "backup.error.server_too_old": {
        "vi": "Máy chủ đích là PostgreSQL {server_version}, cũ hơn máy chủ đã sao lưu (PostgreSQL"
        " {source_version}): PostgreSQL không hỗ trợ chuyển dữ liệu xuống phiên bản cũ hơn.",
        "en": "The target server is PostgreSQL {server_version}, older than the one backed up (PostgreSQL"
        " {source_version}): PostgreSQL does not support moving data to an older major version.",
    },
    "backup.error.command_failed": {
        "vi": "{tool} thất bại (mã {code}); không có gì thay đổi:\n{stderr}",
        "en": "{tool} failed (exit code {code}); nothing was changed:\n{stderr}",
    },
    "backup.error.output_exists": {
        "vi": "Tệp {path} đã có; chọn tên khác, bản sao lưu cũ không bị ghi đè.",
        "en": "{path} exists already; choose another name (an earlier backup is never overwritten).",
    },
    "backup.error.output_folder": {
        "vi": "Không có thư mục {path} để ghi bản sao lưu.",
        "en": "The folder {path} to write the backup to does not exist.",
    },
    "backup.error.not_migrated": {
        "vi": "Cơ sở dữ liệu chưa có bảng của Mặt trận số ({tables}): chạy `mattran migrate` trước.",
        "en": "The database lacks the platform's tables ({tables}): run `mattran migrate` first.",
    },
    "backup.error.unreadable": {
        "vi": "Không đọc được bản sao lưu {path}: {reason}. Không khôi phục gì.",
        "en": "The archive {path} cannot be read: {reason}. Nothing was restored.",
    },
    "backup.error.no_manifest": {
        "vi": "{path} không phải bản sao lưu của Mặt trận số (thiếu manifest.json). Không khôi phục gì.",
        "en": "{path} is not a backup of the platform (no manifest.json). Nothing was restored.",
    },
    "backup.error.bad_manifest": {
        "vi": "manifest.json của bản sao lưu không hợp lệ: {reason}. Không khôi phục gì.",
        "en": "The archive's manifest.json is invalid: {reason}. Nothing was restored.",
    },
    "backup.error.unsupported_format": {
        "vi": "Bản sao lưu có định dạng {found}; phiên bản này chỉ đọc định dạng {supported}. Không khôi phục gì.",
        "en": "The archive has format {found}; this version reads format {supported} only. Nothing was restored.",
    },
    "backup.error.bad_member": {
        "vi": "Bản sao lưu có thành phần không hợp lệ: {member}. Không khôi phục gì.",
        "en": "The archive holds an invalid member: {member}. Nothing was restored.",
    },
    "backup.error.members_differ": {
        "vi": "Bản sao lưu bị hỏng hoặc đã bị sửa: thành phần thiếu, thừa hoặc trùng so với manifest.json"
        " ({members}). Không khôi phục gì.",
        "en": "The archive is damaged or was altered: members missing, extra or repeated against manifest.json"
        " ({members}). Nothing was restored.",
    },
    "backup.error.tampered": {
        "vi": "Bản sao lưu bị hỏng hoặc đã bị sửa: {member} không khớp mã sha256 trong manifest.json. Không khôi"
        " phục gì.",
        "en": "The archive is damaged or was altered: {member} does not match its sha256 in manifest.json."
        " Nothing was restored.",
    },
    "backup.error.target_not_empty": {
        "vi": "Cơ sở dữ liệu đích «{database}» không trống ({relations} bảng và đối tượng khác). Hãy khôi phục"
        " vào một cơ sở dữ liệu mới, hoặc thêm --force để thay toàn bộ dữ liệu trong đó.",
        "en": "The target database «{database}» is not empty ({relations} tables and other relations). Restore"
        " into a new database, or add --force to replace what it holds.",
    },
    "backup.error.files_not_empty": {
        "vi": "Thư mục tệp {path} đã có tệp. Hãy dùng thư mục trống (MATTRAN_PETITIONS_STORAGE_DIR), hoặc thêm"
        " --force để ghi đè.",
        "en": "The file folder {path} already holds files. Use an empty one (MATTRAN_PETITIONS_STORAGE_DIR), or"
        " add --force to overwrite.",
    },
    "backup.error.verify_failed": {
        "vi": "Đã khôi phục nhưng kết quả không khớp với bản sao lưu: {differences}",
        "en": "Restored, but the result does not match the archive: {differences}",
    },
}


def translate(key: str, language: Language = "vi", **params: object) -> str:
    """The message for key in language (falling back to Vietnamese), with {placeholders} filled."""
    entry = MESSAGES[key]
    text = entry.get(language) or entry["vi"]
    return text.format(**params) if params else text


def negotiate_language(accept_language: str | None, default: Language = "vi") -> Language:
    """Pick vi or en from an Accept-Language header, honouring q-values; default when neither is asked for."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else default
