// Words of the user's own account page (src/views/AccountView.vue).
export default {
  'zh-CN': {
    account: {
      title: '我的账户', profile: '个人资料', displayName: '显示名称', email: '电子邮箱', mobile: '手机', language: '语言',
      save: '保存', saved: '已保存', totp: '双重验证', totpOn: '已启用：登录时需输入验证器应用中的动态码。',
      totpOff: '未启用。启用后，登录时除密码外还需输入手机验证器应用（如 Microsoft Authenticator、Google Authenticator）中的动态码。',
      totpRequired: '您的角色要求启用双重验证，请先完成设置。', start: '开始设置', password: '当前密码',
      scan: '用验证器应用扫描二维码，或手动输入密钥：', secret: '密钥', qrAlt: '双重验证二维码', code: '验证器显示的 6 位动态码',
      confirm: '确认启用', recovery: '请妥善保存以下恢复码。手机丢失时，每个恢复码可代替动态码登录一次；它们只显示这一次。',
      done: '完成',
    },
  },
  en: {
    account: {
      title: 'My account', profile: 'Profile', displayName: 'Display name', email: 'Email', mobile: 'Mobile', language: 'Language',
      save: 'Save', saved: 'Saved', totp: 'Second factor', totpOn: 'On: signing in asks for the code from your authenticator app.',
      totpOff: 'Off. Once on, signing in asks for the code from an authenticator app on your phone as well as the password.',
      totpRequired: 'Your role requires a second factor: please set it up first.', start: 'Set it up', password: 'Current password',
      scan: 'Scan the QR code with your authenticator app, or type the key:', secret: 'Key', qrAlt: 'QR code of the second factor',
      code: 'The 6-digit code your app shows', confirm: 'Turn it on',
      recovery: 'Keep these recovery codes somewhere safe. If you lose your phone, each one signs you in once instead of a code; they are shown only now.',
      done: 'Done',
    },
  },
};
