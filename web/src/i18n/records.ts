// Words of the generic record pages: lists, forms (a state field a process moves), the record a
// task is about, the conflict dialog, history.
export default {
  'zh-CN': {
    history: {
      none: '暂无修改记录', system: '系统', old: '原值', new: '新值',
      action: { create: '创建', update: '修改', delete: '删除', restore: '恢复', reveal: '查看敏感信息', share: '共享', unshare: '取消共享', export: '导出', assign: '转移负责人', file_add: '上传附件', file_delete: '删除附件', comment: '批注', uncomment: '撤回批注' },
    },
    comments: {
      tab: '批注', tabCount: '批注 ({n})', none: '还没有批注', write: '写下批注或指导意见…', send: '发表批注',
      sent: '已发表', remove: '撤回', removeConfirm: '撤回这条批注？', removed: '已撤回', of: '{who} 的批注',
    },
    files: {
      tab: '附件', upload: '上传附件', drop: '将文件拖到此处，或点击选择（可多选）', none: '暂无附件', name: '文件名', size: '大小',
      by: '上传人', at: '上传时间', actions: '操作', preview: '预览', previewOf: '预览 {name}', newVersion: '上传新版本',
      newVersionOf: '上传 {name} 的新版本', versions: '{n} 个版本', versionsOf: '{name} 的各版本', versionsTitle: '{name} 的各版本',
      version: '版本', deleteOf: '删除 {name}', deleteConfirm: '删除附件“{name}”（含其所有版本）？', uploaded: '已上传 {name}',
    },
    search: { results: '“{q}”的搜索结果', none: '没有找到匹配的记录', all: '查看全部 {n} 条' },
    form: {
      new: '新建{what}', save: '保存', cancel: '取消', back: '返回', required: '必填', saved: '已保存',
      region: '省/市/区', currency: '币种', typeToSearch: '输入以搜索',
      stateByProcess: '“{field}”由业务流程管理：新记录从流程的初始状态开始，之后在记录页面上通过流程操作改变。',
      stateReadOnly: '由业务流程管理，只能在记录页面上通过流程操作改变。',
    },
    record: { about: '关联记录', aboutOf: '关联记录：{what}' },
    list: {
      filters: '筛选', filterField: '筛选字段', filterOp: '条件', filterValue: '筛选值', addFilter: '添加条件',
      removeFilter: '删除条件', clearFilters: '清除', applyFilters: '应用', commaSeparated: '多个值用逗号分隔',
      isEmpty: '为空', isNotEmpty: '不为空', yes: '是', no: '否', columns: '列', defaultColumns: '恢复默认列',
      export: '导出', exportSelected: '导出所选', import: '导入', new: '新建', selection: '批量操作',
      selected: '已选 {n} 条', bulkEdit: '批量修改', bulkDelete: '批量删除', bulkEditTitle: '批量修改 {n} 条记录',
      bulkField: '字段', bulkValue: '新值', bulkApply: '应用', bulkDone: '已修改 {n} 条记录',
      bulkDeleteConfirm: '确定删除所选的 {n} 条记录吗？', bulkDeleted: '已删除 {n} 条记录',
      op: { eq: '等于', ne: '不等于', lt: '小于', lte: '不大于', gt: '大于', gte: '不小于', in: '属于', like: '包含', null: '' },
    },
    views: {
      all: '全部记录', choose: '视图', mine: '我的视图', shared: '共享视图', manage: '管理视图', saveAs: '另存为视图',
      update: '用当前条件更新视图', delete: '删除视图', deleteConfirm: '确定删除视图“{name}”吗？', name: '视图名称',
      shareWithAll: '共享给所有人',
    },
    conflict: {
      title: '记录已被他人修改', lead: '您编辑期间，其他人保存了这条记录。以下是对方修改的字段：',
      field: '字段', theirs: '当前值（他人修改后）', mine: '您的填写', keepMine: '保留我的修改并保存',
      takeTheirs: '放弃我的修改',
    },
  },
  en: {
    history: {
      none: 'No changes yet', system: 'System', old: 'Before', new: 'After',
      action: { create: 'created', update: 'changed', delete: 'deleted', restore: 'restored', reveal: 'viewed sensitive fields', share: 'shared', unshare: 'stopped sharing', export: 'exported', assign: 'reassigned', file_add: 'attached', file_delete: 'removed the attachment', comment: 'commented', uncomment: 'took a comment back' },
    },
    comments: {
      tab: 'Comments', tabCount: 'Comments ({n})', none: 'No comments yet', write: 'Write a comment or a word of guidance…',
      send: 'Comment', sent: 'Comment posted', remove: 'Take back', removeConfirm: 'Take this comment back?', removed: 'Comment taken back',
      of: 'Comment by {who}',
    },
    files: {
      tab: 'Attachments', upload: 'Upload attachments', drop: 'Drop files here, or click to choose (several at once)', none: 'No attachments',
      name: 'File', size: 'Size', by: 'Uploaded by', at: 'Uploaded at', actions: 'Actions', preview: 'Preview', previewOf: 'Preview {name}',
      newVersion: 'New version', newVersionOf: 'Upload a new version of {name}', versions: '{n} versions', versionsOf: 'Versions of {name}',
      versionsTitle: 'Versions of {name}', version: 'Version', deleteOf: 'Delete {name}',
      deleteConfirm: 'Delete the attachment “{name}” with all its versions?', uploaded: '{name} uploaded',
    },
    search: { results: 'Results for “{q}”', none: 'Nothing matches', all: 'See all {n}' },
    form: {
      new: 'New {what}', save: 'Save', cancel: 'Cancel', back: 'Back', required: 'Required', saved: 'Saved',
      region: 'Province / city / district', currency: 'Currency', typeToSearch: 'Type to search',
      stateByProcess: '“{field}” follows a process: a new record starts in its initial state, which then changes through the process’s actions on the record page.',
      stateReadOnly: 'Follows a process: it changes only through the process’s actions on the record page.',
    },
    record: { about: 'About', aboutOf: 'About: {what}' },
    list: {
      filters: 'Filters', filterField: 'Field to filter', filterOp: 'Condition', filterValue: 'Value', addFilter: 'Add a condition',
      removeFilter: 'Remove the condition', clearFilters: 'Clear', applyFilters: 'Apply', commaSeparated: 'Separate values with commas',
      isEmpty: 'is empty', isNotEmpty: 'is not empty', yes: 'Yes', no: 'No', columns: 'Columns', defaultColumns: 'Default columns',
      export: 'Export', exportSelected: 'Export selected', import: 'Import', new: 'New', selection: 'Bulk actions',
      selected: '{n} selected', bulkEdit: 'Edit all', bulkDelete: 'Delete all', bulkEditTitle: 'Edit {n} records',
      bulkField: 'Field', bulkValue: 'New value', bulkApply: 'Apply', bulkDone: '{n} records changed',
      bulkDeleteConfirm: 'Delete the {n} selected records?', bulkDeleted: '{n} records deleted',
      op: { eq: 'is', ne: 'is not', lt: 'below', lte: 'at most', gt: 'above', gte: 'at least', in: 'is one of', like: 'contains', null: '' },
    },
    views: {
      all: 'All records', choose: 'View', mine: 'My views', shared: 'Shared views', manage: 'Manage views', saveAs: 'Save as a view',
      update: 'Update the view with these conditions', delete: 'Delete the view', deleteConfirm: 'Delete the view “{name}”?',
      name: 'Name of the view', shareWithAll: 'Share with everybody',
    },
    conflict: {
      title: 'Someone else changed this record', lead: 'While you were editing, someone else saved this record. The fields they changed:',
      field: 'Field', theirs: 'Now (their change)', mine: 'Yours', keepMine: 'Keep my changes and save',
      takeTheirs: 'Discard my changes',
    },
  },
};
