/* Registers the service worker (/sw.js, the whole site's scope) on every page, so that QLVB can be
 * installed as an app, shows the offline page without network, and receives push notifications. */
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  window.addEventListener('load', function () {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {
      // Not over HTTPS, or the browser refused: the site works as before, only without the app's extras.
    });
  });
})();
