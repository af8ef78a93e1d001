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
    "problem.unauthorized.title": {"vi": "Cần đăng nhập", "en": "Sign-in required"},
    "problem.forbidden.title": {"vi": "Không có quyền", "en": "Forbidden"},
    "problem.conflict.title": {"vi": "Xung đột dữ liệu", "en": "Conflict"},
    "problem.rate_limited.title": {"vi": "Quá nhiều yêu cầu", "en": "Too many requests"},
    "problem.unavailable.title": {"vi": "Dịch vụ tạm thời không khả dụng", "en": "Service unavailable"},
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
    "pwa.nav.units": {"vi": "Đơn vị", "en": "Units"},
    "pwa.nav.notes": {"vi": "Ghi chép", "en": "Notes"},
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
    "pwa.nav.households": {"vi": "Hộ dân", "en": "Households"},
    "pwa.registry.title": {"vi": "Hộ gia đình", "en": "Households"},
    "pwa.registry.household": {"vi": "Hộ gia đình", "en": "Household"},
    "pwa.registry.search_label": {
        "vi": "Tên, số điện thoại, địa chỉ hoặc số CCCD (gõ không dấu cũng được)",
        "en": "Name, phone, address or ID number (diacritics optional)",
    },
    "pwa.registry.none": {"vi": "Không có hộ nào phù hợp.", "en": "No household matches."},
    "pwa.registry.not_found": {
        "vi": "Không tìm thấy hộ này, hoặc hộ không thuộc địa bàn của bạn.",
        "en": "This household was not found, or it is outside your area.",
    },
    "pwa.registry.members": {"vi": "Nhân khẩu", "en": "Members"},
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
