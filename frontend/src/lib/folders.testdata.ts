// Test data for the Folders screen, the tree and the Files tab (tests only).
import type { ClientFolder, FolderNode, LibraryView, TimelineItem } from './types';

export function folder(over: Partial<FolderNode> = {}): FolderNode {
  return {
    account: 'me@adatum.com',
    driveId: 'd1',
    id: 'f',
    name: 'Folder',
    path: 'Folder',
    clientId: 0,
    clientName: '',
    origin: 'none',
    suppressed: false,
    fileCount: 0,
    lastChange: null,
    hasChildren: false,
    shortcut: false,
    webUrl: '',
    ...over,
  };
}

export function library(over: Partial<LibraryView> = {}): LibraryView {
  const driveId = over.driveId ?? 'd1';
  return {
    account: 'me@adatum.com',
    driveId,
    name: 'OneDrive',
    kind: 'onedrive',
    driveType: 'business',
    siteId: '',
    siteName: '',
    webUrl: 'https://adatum-my.sharepoint.com/personal/me/Documents',
    root: folder({ driveId, id: 'root-' + driveId, name: 'root', path: '', hasChildren: true, fileCount: 28 }),
    streamId: 1,
    items: 40,
    lastSync: '2026-11-22T10:00:00Z',
    state: 'ok',
    error: '',
    action: '',
    localPath: '',
    localPathAuto: false,
    ...over,
  };
}

export function clientFolder(over: Partial<ClientFolder> = {}): ClientFolder {
  return { ...folder({ origin: 'manual', clientId: 1, clientName: 'Contoso' }), driveName: 'OneDrive', ...over };
}

export function fileItem(over: Partial<TimelineItem> = {}): TimelineItem {
  return {
    kind: 'file',
    at: '2026-11-20T10:00:00Z',
    counterpart: 'Alice Moreau',
    title: 'SOW.pdf',
    itemId: 'f1',
    action: 'edited',
    path: 'Clients/Contoso/SOW.pdf',
    webLink: 'https://adatum-my.sharepoint.com/SOW.pdf',
    ...over,
  };
}
