// Words of merging two records into one (docs/internals/MATCH.md, "Merging"): the merge page
// (src/views/MergeView.vue), the "merge" action beside a duplicate candidate
// (src/components/DuplicateList.vue) and on the page of a record whose entity has a duplicate
// check (src/views/RecordView.vue: merge.open), and the merge's entry in a record's history.
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    merge: {
      title: '合并重复记录', back: '返回本记录',
      kept: '本记录（保留）', keptIs: '本记录（保留）：{name}', at: '{field}：{message}', other: '对方（合并后删除）', field: '字段',
      keep: '保留', take: '采用对方', of: '（{field}）',
      same: '相同', sameFields: '相同的字段（{n}）', differ: '不同的字段（{n}）', noDiffer: '两条记录的可编辑字段没有不同。',
      empty: '（空）', region: '省/市/区',
      maskedHint: '敏感字段已隐藏，不能在合并时采用对方的值；如需修改，请在合并后编辑本记录。',
      summary: '对方的联系人、任务、附件等将移到本记录，对方将被删除。',
      takes: '本记录将采用对方的 {n} 个字段：{fields}。', takesNone: '本记录的字段保持不变。',
      audit: '合并及移动的每条记录都会记入修改记录。',
      confirm: '确认合并', merged: '已合并。移到本记录的有：{what}', mergedNothing: '已合并，对方没有需要移动的相关记录。',
      movedItem: '{what}（{n}）', failed: '合并失败',
      choose: '选择要合并的记录', choosePlaceholder: '输入名称搜索', chooseHint: '选中的记录将并入本记录：它的相关记录移到本记录，然后它被删除。',
      candidates: '可能重复的记录', noCandidates: '查重没有发现与本记录相似的记录，可以在上面搜索。',
      fromField: '要合并的记录', self: '不能与自身合并', badFrom: '“{from}”不是记录编号',
      keptFailed: '无法打开本记录', otherFailed: '无法读取要合并的记录 #{id}',
      noRight: '合并需要修改本记录和删除对方的权限，您没有{what}的这些权限。',
      action: '合并', actionOf: '把 {name} 合并到本记录', open: '合并重复',
      moved: { tasks_about: '流程任务', files: '附件', record_shares: '共享', reminders: '提醒' },
    },
    history: { action: { merge: '合并' } },
  },
  en: {
    merge: {
      title: 'Merge duplicates', back: 'Back to the record',
      kept: 'This record (kept)', keptIs: 'This record (kept): {name}', at: '{field}: {message}', other: 'The other (deleted after merging)', field: 'Field',
      keep: 'Keep', take: 'Take the other’s', of: ' ({field})',
      same: 'Same', sameFields: 'Fields that are the same ({n})', differ: 'Fields that differ ({n})', noDiffer: 'The two records do not differ in any field you can edit.',
      empty: '(empty)', region: 'Province / city / district',
      maskedHint: 'Sensitive fields are hidden and cannot be taken from the other record; edit this record after merging if needed.',
      summary: 'The other record’s contacts, tasks, attachments and so on will move to this record, and the other will be deleted.',
      takes: 'This record will take {n} field from the other: {fields}. | This record will take {n} fields from the other: {fields}.', takesNone: 'This record’s fields stay as they are.',
      audit: 'The merge and every record it moves are kept in the history.',
      confirm: 'Merge', merged: 'Merged. Moved to this record: {what}', mergedNothing: 'Merged. The other record had nothing related to move.',
      movedItem: '{what} ({n})', failed: 'The merge failed',
      choose: 'Record to merge into this one', choosePlaceholder: 'Type a name to search', chooseHint: 'The record you choose is merged into this one: its related records move here, then it is deleted.',
      candidates: 'Possible duplicates', noCandidates: 'The duplicate check found nothing like this record; search above.',
      fromField: 'Record to merge', self: 'A record cannot be merged with itself', badFrom: '“{from}” is not a record number',
      keptFailed: 'This record cannot be opened', otherFailed: 'The record to merge (#{id}) cannot be read',
      noRight: 'Merging needs the rights to change this record and delete the other; you do not have them for {what}.',
      action: 'Merge', actionOf: 'Merge {name} into this record', open: 'Merge a duplicate',
      moved: { tasks_about: 'Process tasks', files: 'Attachments', record_shares: 'Shares', reminders: 'Reminders' },
    },
    history: { action: { merge: 'merged' } },
  },
};
