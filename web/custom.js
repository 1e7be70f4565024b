/* 制造 Zhizao: our name over sao 8.0 (served from sao's root, loaded on
 * every page after sao). */
(function() {
    'use strict';
    Sao.config.title = '制造 Zhizao';
    jQuery(function() {
        jQuery('#title').text(Sao.config.title);
        document.title = Sao.config.title;
    });
}());
