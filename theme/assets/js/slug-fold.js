/* Khánh Hòa tourism portal: URL slugs from Vietnamese titles keep their letters.
 *
 * CKAN's slug preview (module "slug-preview-target") turns every character it
 * has no mapping for into a hyphen, so "Homestay thử nghiệm" became
 * "homestay-th-nghi-m". Titles are folded first, as the server does
 * (ckanext/khtourism/core/slugs.py): decomposed (NFD), combining marks
 * removed, đ -> d; then CKAN's own slugify runs on the plain letters.
 */
(function ($) {
  'use strict';
  if (!$ || !$.url || typeof $.url.slugify !== 'function' || $.url.khtourismFolded) {
    return;
  }
  var slugify = $.url.slugify;

  function foldDiacritics(text) {
    return String(text || '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '');
  }

  $.url.foldDiacritics = foldDiacritics;
  $.url.slugify = function (string, trim) {
    return slugify.call(this, foldDiacritics(string), trim);
  };
  $.url.khtourismFolded = true;
})(window.jQuery);
