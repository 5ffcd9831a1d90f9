// Every word the user sees, in Simplified Chinese (the default) and English. Labels of entities
// and fields come from the server's metadata in both languages.
import { createI18n } from 'vue-i18n';
import { setApiLanguage } from './api';
import account from './i18n/account';
import admin from './i18n/admin';
import contacts from './i18n/contacts';
import customer360 from './i18n/customer360';
import match from './i18n/match';
import merging from './i18n/merge';
import network from './i18n/network';
import processes from './i18n/processes';
import records from './i18n/records';
import sales from './i18n/sales';
import analysis from './i18n/analysis';
import approvals from './i18n/approvals';
import scores from './i18n/scores';
import services from './i18n/services';
import transfer from './i18n/transfer';

const core = {
  'zh-CN': {
    app: { name: '六分仪 CRM' },
    login: {
      title: '登录', username: '用户名', password: '密码', submit: '登录', totp: '动态验证码',
      totpHint: '请输入验证器应用中的 6 位动态码，或一个恢复码', failed: '用户名或密码不正确',
    },
    password: {
      title: '修改密码', current: '当前密码', next: '新密码', repeat: '再次输入新密码',
      mismatch: '两次输入的密码不一致', submit: '保存', forced: '请先设置您自己的密码',
    },
    area: {
      workbench: '工作台', customers: '客户', sales: '销售', orders: '订单', marketing: '市场',
      knowledge: '知识', service: '服务', analytics: '分析', settings: '设置',
    },
    top: { search: '搜索客户、联系人…', logout: '退出登录', language: 'English', notifications: '通知' },
    workbench: { announcements: '公告', noAnnouncements: '暂无公告', unread: '未读', recent: '最近访问', noRecent: '您最近打开的记录会显示在这里', pinned: '置顶', tasks: '我的任务', allTasks: '全部', newTask: '新建任务', noTasks: '没有待办任务', markDone: '完成“{subject}”', taskDone: '已完成“{subject}”', reminder: '提醒时间已到', remindersDue: '{n} 个提醒' },
    list: { search: '搜索', total: '共 {n} 条', atLeast: '至少 {n} 条', more: '加载更多', empty: '暂无数据' },
    record: { details: '详细信息', reveal: '查看敏感信息', revealToEdit: '显示敏感信息以编辑', edit: '编辑', delete: '删除', deleteConfirm: '确定删除这条记录吗？', deleted: '已删除', history: '修改记录' },
    common: { comingSoon: '该模块正在建设中', expired: '登录已过期，请重新登录', masked: '已隐藏' },
  },
  en: {
    app: { name: 'Sextant CRM' },
    login: {
      title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', totp: 'Code',
      totpHint: 'Enter the 6-digit code from your authenticator app, or a recovery code',
      failed: 'Wrong username or password',
    },
    password: {
      title: 'Change password', current: 'Current password', next: 'New password',
      repeat: 'New password again', mismatch: 'The two passwords differ', submit: 'Save',
      forced: 'Please choose your own password first',
    },
    area: {
      workbench: 'Workbench', customers: 'Customers', sales: 'Sales', orders: 'Orders',
      marketing: 'Marketing', knowledge: 'Knowledge', service: 'Service', analytics: 'Analytics',
      settings: 'Settings',
    },
    top: { search: 'Search customers, contacts…', logout: 'Sign out', language: '中文', notifications: 'Notifications' },
    workbench: { announcements: 'Announcements', noAnnouncements: 'No announcements', unread: 'Unread', recent: 'Recently opened', noRecent: 'The records you open will be listed here', pinned: 'Pinned', tasks: 'My tasks', allTasks: 'All', newTask: 'New task', noTasks: 'Nothing to do', markDone: 'Mark “{subject}” done', taskDone: '“{subject}” done', reminder: 'Reminder due', remindersDue: '{n} reminders due' },
    list: { search: 'Search', total: '{n} in all', atLeast: 'at least {n}', more: 'Load more', empty: 'No data' },
    record: { details: 'Details', reveal: 'Show sensitive fields', revealToEdit: 'Show sensitive fields to edit them', edit: 'Edit', delete: 'Delete', deleteConfirm: 'Delete this record?', deleted: 'Deleted', history: 'History' },
    common: { comingSoon: 'This area is being built', expired: 'Your session ended; please sign in again', masked: 'hidden' },
  },
};

// Each area's words live beside the core's, in src/i18n/, one module per area.
const modules = [account, admin, analysis, approvals, contacts, customer360, match, merging, network, processes, records, sales, scores, services, transfer];
type Tree = { [key: string]: string | Tree };
function merge(into: Tree, from: Tree): Tree {
  for (const [k, v] of Object.entries(from))
    into[k] = typeof v === 'object' && typeof into[k] === 'object' ? merge({ ...(into[k] as Tree) }, v) : v;
  return into;
}
const messages = {
  'zh-CN': modules.reduce((all, m) => merge(all, m['zh-CN']), merge({}, core['zh-CN'])),
  en: modules.reduce((all, m) => merge(all, m.en), merge({}, core.en)),
};

export type Locale = 'zh-CN' | 'en';

export const i18n = createI18n({
  legacy: false,
  locale: (localStorage.getItem('sextant.locale') as Locale) || 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages,
});

export function setLocale(l: Locale) {
  i18n.global.locale.value = l;
  localStorage.setItem('sextant.locale', l);
  document.documentElement.lang = l;
  setApiLanguage(l);
}
