/* The account page's "Thông báo trên thiết bị" section (web/push.py): turns push notifications of
 * urgent documents on or off for this browser.
 *
 * On: ask the person's permission, have the browser's push service make a subscription for the
 * installation's VAPID key (/push/public-key), and give it to QLVB. Off: drop it on both sides.
 * A subscription made for another key (the key was renewed) is dropped and made again on "on".
 */
(function () {
  'use strict';
  const section = document.getElementById('push-settings');
  if (!section) return;
  const status = document.getElementById('push-status');
  const onButton = document.getElementById('push-on');
  const offButton = document.getElementById('push-off');
  const csrf = section.dataset.csrf || '';

  function say(text) { status.textContent = text; }
  const onOffer = document.getElementById('push-on-offer');
  const offOffer = document.getElementById('push-off-offer');
  function show(enabled) {
    onOffer.hidden = enabled;
    offOffer.hidden = !enabled;
  }

  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say('Trình duyệt này không hỗ trợ thông báo trên thiết bị. Trên iPhone, iPad, hãy thêm QLVB vào Màn hình chính '
      + 'rồi mở từ biểu tượng đó; trên máy khác, hãy dùng Chrome, Edge, Cốc Cốc, Firefox hoặc Safari bản mới.');
    return;
  }

  function fromBase64Url(text) {
    const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  function sameKey(buffer, key) {
    if (!buffer) return false;
    const given = new Uint8Array(buffer);
    return given.length === key.length && given.every((byte, index) => byte === key[index]);
  }

  async function send(path, body) {
    const response = await fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    if (response.ok) return response.json();
    let detail = 'Chưa thực hiện được. Vui lòng tải lại trang rồi thử lại.';
    try { detail = (await response.json()).detail || detail; } catch (error) { /* an HTML error page */ }
    throw new Error(detail);
  }

  async function publicKey() {
    const response = await fetch('/push/public-key', { credentials: 'same-origin' });
    if (!response.ok) throw new Error('Thông báo trên thiết bị đang tắt trên toàn hệ thống.');
    return fromBase64Url((await response.json()).publicKey);
  }

  async function registration() {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    return navigator.serviceWorker.ready;
  }

  function asFields(subscription) {
    const keys = subscription.toJSON().keys || {};
    return { endpoint: subscription.endpoint, p256dh: keys.p256dh || '', auth: keys.auth || '' };
  }

  async function current() {
    const [worker, key] = await Promise.all([registration(), publicKey()]);
    let subscription = await worker.pushManager.getSubscription();
    if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
      await subscription.unsubscribe(); // made for a key this installation no longer signs with
      subscription = null;
    }
    return { worker, key, subscription };
  }

  async function refresh() {
    if (Notification.permission === 'denied') {
      say('Trình duyệt đang chặn thông báo của QLVB. Hãy cho phép thông báo trong phần cài đặt trang web của trình '
        + 'duyệt, rồi tải lại trang này.');
      onOffer.hidden = true;
      offOffer.hidden = true;
      return;
    }
    const { subscription } = await current();
    if (subscription) {
      await send('/account/notifications/subscribe', asFields(subscription)); // QLVB may have revoked it meanwhile
      say('Thông báo trên thiết bị này đang bật.');
    } else {
      say('Thông báo trên thiết bị này đang tắt.');
    }
    show(Boolean(subscription));
  }

  onButton.addEventListener('click', async () => {
    onButton.disabled = true;
    try {
      if (await Notification.requestPermission() !== 'granted') {
        say('Bạn chưa cho phép QLVB gửi thông báo nên thông báo chưa được bật.');
        return;
      }
      const { worker, key, subscription } = await current();
      let made = subscription;
      try {
        made = made || await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      } catch (error) {
        throw new Error('Không bật được thông báo trên thiết bị này: trình duyệt chưa kết nối được dịch vụ thông báo. '
          + 'Vui lòng kiểm tra kết nối mạng rồi thử lại.');
      }
      try {
        await send('/account/notifications/subscribe', asFields(made));
      } catch (error) {
        await made.unsubscribe();
        throw error;
      }
      say('Đã bật thông báo trên thiết bị này.');
      show(true);
    } catch (error) {
      say(error.message);
    } finally {
      onButton.disabled = false;
    }
  });

  offButton.addEventListener('click', async () => {
    offButton.disabled = true;
    try {
      const worker = await registration();
      const subscription = await worker.pushManager.getSubscription();
      if (subscription) {
        await send('/account/notifications/unsubscribe', { endpoint: subscription.endpoint });
        await subscription.unsubscribe();
      }
      say('Đã tắt thông báo trên thiết bị này.');
      show(false);
    } catch (error) {
      say(error.message);
    } finally {
      offButton.disabled = false;
    }
  });

  refresh().catch((error) => { say(error.message); show(false); });
})();
