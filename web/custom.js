/* 制造 Zhizao: our name over sao 8.0 (served from sao's root, loaded on
 * every page after sao). */
(function() {
    'use strict';
    Sao.config.title = '制造 Zhizao';
    jQuery(function() {
        jQuery('#title').text(Sao.config.title);
        document.title = Sao.config.title;
    });

    /* The words of the client in zh_CN.  sao's own locale/zh_CN.json
     * leaves tooltips in English ("Add to favorites", "Chat", "Restore"),
     * keeps mnemonics ("收藏(_V)") and half-width stops ("记录保存成功.");
     * these entries win over it when Sao.i18n.setlang loads it.  The
     * server's strings are in addons/locale_zh_cn/locale/zh_CN.po. */
    var CJK = '[\u3400-\u9fff\uff09]';
    var ZH_CN = {
        // the record navigation of forms, lists and one2many fields
        'Previous': "上一条",
        'Next': "下一条",
        'Previous Record': "上一条记录",
        'Next Record': "下一条记录",
        'Code Scanner': "扫码",
        '%1/Record Name': "%1/名称",
        'Record saved.': "记录已保存。",
        // plurals: sao's file stores them as one string, which gettext.js
        // ignores for ngettext (the English showed)
        '%1 record saved': ["已保存 %1 条记录。", "已保存 %1 条记录。"],
        '%1 record imported': ["已导入 %1 条记录。", "已导入 %1 条记录。"],
        'Favorites': "收藏",
        'Add to favorites': "收藏",
        'Remove from favorites': "取消收藏",
        'Check menu entries to add favorites': "点亮菜单项旁的星标即可收藏",
        'Email': "发送邮件",
        'Email...': "发送邮件…",
        'Email %1': "发送邮件：%1",
        'Send an email using the record': "用此记录发送邮件",
        'Chat': "沟通",
        'Chat on the record': "就此记录沟通",
        'Restore': "恢复",
        'Undelete': "撤销删除",
        'Reload': "刷新",
        'Justify Left': "左对齐",
        'Bcc:': "密送：",
        'Notes (%1)': "备注（%1）",
        'CSV Import: %1': "CSV 导入：%1",
        'CSV Export: %1': "CSV 导出：%1",
        'Details': "详情",
        'Concurrency Warning': "多人同时修改",
        'Copy Selected Rows': "复制所选行",
        'Reset Column Widths': "重置列宽",
        'Select a color for "%1"': "为“%1”选择颜色",
        'Failed to copy text to clipboard: %1': "复制到剪贴板失败：%1",
        'Error: "%1". Try again later.': "错误：“%1”。请稍后重试。",
        'Help...': "帮助…",
        'Preferences...': "个人设置…",
        'Module:': "模块：",
        'XML ID:': "XML ID：",
        'Reset forgotten password': "忘记密码",
        'Send you an email to reset your password.':
            "向您发送一封重置密码的邮件。",
        'A request to reset your password has been sent.\n\
Please check your mailbox.':
            "重置密码的邮件已发送。\n请查收邮箱。",
        'All Notifications...': "全部通知…",
        'No notifications at this time': "暂无通知",
        'Add a follower': "添加关注人",
        'Subscribe a follower to this channel': "为此记录添加关注人",
        'Show followers': "查看关注人",
        'Subscribe': "关注",
        'Unsubscribe': "取消关注",
        'Are you sure to unsubscribe "%1" from this channel?':
            "确定让“%1”不再关注此记录吗？",
        'Enter a message': "输入消息",
        'Submit the message': "发送消息",
        'Make this an internal message': "设为内部消息",
    };
    var PUNCTUATION = [
        // no mnemonics: sao has no access keys on them
        [new RegExp('\\(_\\w\\)', 'g'), ''],
        [new RegExp('(' + CJK + ')\\.\\.\\.$'), '$1…'],
        [new RegExp('(' + CJK + ')\\.(?=\\n|$)', 'g'), '$1。'],
        [new RegExp('(' + CJK + ') ?:$'), '$1：'],
        [new RegExp('(' + CJK + ') ?\\?(?=\\n|$)', 'g'), '$1？'],
    ];

    function full_width(text) {
        if (typeof text != 'string') {
            return text;
        }
        PUNCTUATION.forEach(function(rule) {
            text = text.replace(rule[0], rule[1]);
        });
        return text;
    }

    var loadJSON = Sao.i18n.loadJSON;
    Sao.i18n.loadJSON = function(data, domain) {
        if (data[''] && (data[''].language == 'zh_CN')) {
            for (var key in data) {
                if (key === '') {
                    continue;
                }
                data[key] = Array.isArray(data[key]) ?
                    data[key].map(full_width) : full_width(data[key]);
            }
            Object.assign(data, ZH_CN);
        }
        return loadJSON.call(this, data, domain);
    };
}());
