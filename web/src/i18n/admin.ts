// Words of the administration pages (src/views/admin/).
export default {
  'zh-CN': {
    admin: {
      users: '用户', roles: '角色与权限', org: '组织架构', fields: '字段与选项', security: '安全策略', oidc: '单点登录应用',
    },
  },
  en: {
    admin: {
      users: 'Users', roles: 'Roles and permissions', org: 'Organisation', fields: 'Fields and options',
      security: 'Security policy', oidc: 'Single sign-on apps',
    },
  },
};
