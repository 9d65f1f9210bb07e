// A page that uses aws-amplify Storage as an app does: Amplify UI's FileUploader and StorageImage, and the Storage API that the
// browser test drives through `window.storage`; and aws-amplify's Kinesis analytics (`window.analytics`). The cloud's endpoints come from /amplify_outputs.json.
import { FileUploader, StorageImage } from '@aws-amplify/ui-react-storage';
import '@aws-amplify/ui-react-storage/styles.css';
import { configure, storageUrl } from '@forte/amplify';
import { Amplify } from 'aws-amplify';
import { flushEvents, record } from 'aws-amplify/analytics/kinesis';
import { downloadData, getUrl, list, uploadData } from 'aws-amplify/storage';
import { createRoot } from 'react-dom/client';

const outputs = await (await fetch('/amplify_outputs.json')).json();
const config = await configure(outputs);
// Kinesis analytics is configured by the app itself (Amplify writes no setting for it), with its stream's region.
Amplify.configure({ ...config, Analytics: { Kinesis: { region: 'us-east-1', flushInterval: 200 } } });
window.analytics = { record, flushEvents };

const uploaded = [];
const failed = [];
window.storage = { uploadData, downloadData, getUrl, list, storageUrl, uploaded, failed };
// Amplify UI's StorageImage: it presigns the path with getUrl and puts the URL in its <img> itself.
window.showStorageImage = (path) => {
  const box = document.body.appendChild(document.createElement('div'));
  createRoot(box).render(<StorageImage path={path} alt={path} />);
};

createRoot(document.getElementById('root')).render(
  <FileUploader
    acceptedFileTypes={['*/*']}
    path="public/uploads/"
    maxFileCount={3}
    isResumable
    onUploadSuccess={({ key }) => uploaded.push(key)}
    onUploadError={(error, { key }) => failed.push(`${key}: ${error}`)}
  />,
);
document.body.dataset.ready = 'true';
